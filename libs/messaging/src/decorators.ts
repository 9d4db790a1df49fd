import 'reflect-metadata';
import type { Envelope, Subject } from '@app/contracts';
import type { BatchContext, HandlerContext } from './handler-context';

export const ON_EVENT = Symbol('ue:on-event');

export interface OnEventOptions {
  /** Deliveries before the message is dead-lettered (defaults to MAX_DELIVER). */
  maxDeliver?: number;
  /**
   * Messages handled at once by this consumer (defaults to CONSUMER_CONCURRENCY); for a batch handler,
   * batches handled at once.
   */
  concurrency?: number;
  /**
   * A handler in two phases: its transaction (inbox record included) commits first, then the work it
   * registers with `ctx.afterCommit` runs outside any transaction (a model fit, an external job). Its
   * redeliveries reach it even when the inbox already holds the event (`ctx.recordedBefore`), since the
   * second phase may not have finished: such a handler must be safe to run twice by checking its own state.
   */
  phased?: boolean;
}

/** Most messages one batch may hold: the consumers' max_ack_pending. */
export const MAX_BATCH = 1000;

export interface BatchOptions {
  /** Most messages handed over at once (1..MAX_BATCH). */
  max: number;
  /**
   * How long a batch waits for more messages after its first one arrived, in ms. 0 (the default): it
   * takes what has arrived and goes, so a lone message is not delayed, and under load batches fill by
   * themselves while the previous one is being handled.
   */
  lingerMs?: number;
  /**
   * How long a batch that found a backlog (more than one message waiting) may keep filling while messages
   * keep coming, in ms (batching.ts `BatchTiming`). Under load this turns a trickle of small batches into
   * full ones (one transaction per tenant instead of many); a lone message is not delayed. 0 (the
   * default): off.
   */
  fillMs?: number;
}

/** A batch handler's options: no `phased` (a batch commits in one transaction per tenant). */
export interface OnBatchOptions extends Omit<OnEventOptions, 'phased'> {
  batch: BatchOptions;
}

export interface OnEventMetadata {
  subject: Subject;
  options: OnEventOptions & { batch?: BatchOptions };
}

export type EventHandler<S extends Subject> = (event: Envelope<S>, ctx: HandlerContext) => Promise<void>;

/**
 * A batch handler gets the valid, not yet handled events of one pull that belong to one tenant, in
 * arrival order, inside that tenant's transaction (see `BatchContext`).
 */
export type BatchEventHandler<S extends Subject> = (
  events: readonly Envelope<S>[],
  ctx: BatchContext,
) => Promise<void>;

type Decorator<H> = (target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<H>) => void;

/**
 * Marks a provider method as the handler of one subject. The method's parameter type must match the
 * subject's payload, so a handler for the wrong contract does not compile. Each decorated method gets
 * its own durable JetStream consumer, `<service>__<subject>`.
 *
 * With `{ batch: { max } }` the method handles the messages of one pull at once, one call per tenant
 * (`BatchEventHandler`): what it does per message costs no round trip of its own.
 */
export function OnEvent<S extends Subject>(
  subject: S,
  options: OnBatchOptions,
): Decorator<BatchEventHandler<S>>;
export function OnEvent<S extends Subject>(subject: S, options?: OnEventOptions): Decorator<EventHandler<S>>;
export function OnEvent<S extends Subject>(
  subject: S,
  options: OnEventOptions | OnBatchOptions = {},
): Decorator<EventHandler<S>> | Decorator<BatchEventHandler<S>> {
  return (target: object, key: string | symbol): void => {
    const list: (OnEventMetadata & { key: string | symbol })[] =
      Reflect.getMetadata(ON_EVENT, target.constructor) ?? [];
    list.push({ subject, options, key });
    Reflect.defineMetadata(ON_EVENT, list, target.constructor);
  };
}

export function eventHandlersOf(ctor: object): (OnEventMetadata & { key: string | symbol })[] {
  return (
    (Reflect.getMetadata(ON_EVENT, ctor) as (OnEventMetadata & { key: string | symbol })[] | undefined) ?? []
  );
}
