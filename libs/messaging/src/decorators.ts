import 'reflect-metadata';
import type { Envelope, Subject } from '@app/contracts';
import type { HandlerContext } from './handler-context';

export const ON_EVENT = Symbol('ue:on-event');

export interface OnEventOptions {
  /** Deliveries before the message is dead-lettered (defaults to MAX_DELIVER). */
  maxDeliver?: number;
  /** Messages handled at once by this consumer (defaults to CONSUMER_CONCURRENCY). */
  concurrency?: number;
  /**
   * A handler in two phases: its transaction (inbox record included) commits first, then the work it
   * registers with `ctx.afterCommit` runs outside any transaction (a model fit, an external job). Its
   * redeliveries reach it even when the inbox already holds the event (`ctx.recordedBefore`), since the
   * second phase may not have finished: such a handler must be safe to run twice by checking its own state.
   */
  phased?: boolean;
}

export interface OnEventMetadata {
  subject: Subject;
  options: OnEventOptions;
}

export type EventHandler<S extends Subject> = (event: Envelope<S>, ctx: HandlerContext) => Promise<void>;

/**
 * Marks a provider method as the handler of one subject. The method's parameter type must match the
 * subject's payload, so a handler for the wrong contract does not compile. Each decorated method gets
 * its own durable JetStream consumer, `<service>__<subject>`.
 */
export function OnEvent<S extends Subject>(subject: S, options: OnEventOptions = {}) {
  return (
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<EventHandler<S>>,
  ): void => {
    const list: (OnEventMetadata & { key: string | symbol })[] =
      Reflect.getMetadata(ON_EVENT, target.constructor) ?? [];
    list.push({ subject, options, key });
    Reflect.defineMetadata(ON_EVENT, list, target.constructor);
    void descriptor;
  };
}

export function eventHandlersOf(ctor: object): (OnEventMetadata & { key: string | symbol })[] {
  return (
    (Reflect.getMetadata(ON_EVENT, ctor) as (OnEventMetadata & { key: string | symbol })[] | undefined) ?? []
  );
}
