import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppLogger } from '@app/common';
import type { Envelope, PayloadOf, Subject } from '@app/contracts';

/** Writes a follow-up event (same tenant and correlation id, causation = the handled event) to the outbox. */
export type Emit = <S extends Subject>(
  subject: S,
  payload: PayloadOf<S>,
  opts?: { id?: string; tenantId?: string },
) => Promise<Envelope<S>>;

/** What a handler gets besides its event. */
export interface HandlerContext {
  /** A fresh EntityManager inside the transaction that also records the event as processed. */
  readonly em: EntityManager;
  /** Logger carrying tenantId, correlationId, eventId and subject. */
  readonly log: AppLogger;
  /** Deliveries of this message so far (1 on the first). Not a duplicate detector: the inbox is. */
  readonly deliveryCount: number;
  /**
   * Phased handlers only (`@OnEvent(subject, { phased: true })`): true when the inbox already held this
   * event, i.e. an earlier delivery committed its first transaction but was never acknowledged (its process
   * died, or its after-commit work failed). The handler finds out from its own state what is left to do.
   * Always false for other handlers, which never see such a redelivery.
   */
  readonly recordedBefore: boolean;
  /**
   * Writes a follow-up event (same tenant and correlation id, causation = this event) to the outbox in
   * the handler's transaction; it is published after the commit. `id` makes it deterministic.
   */
  emit: Emit;
  /** Tells JetStream the handler is still working (long handlers; the host also does it on a timer). */
  working(): void;
  /**
   * Phased handlers only: `work` runs once this transaction has committed, outside any transaction, before
   * the message is acknowledged (its heartbeats go on meanwhile). What it must write, it writes in short
   * transactions of its own (`AfterCommitContext.transaction`). An error it throws is mapped like a
   * handler's (retry or dead-letter). One registration per delivery; a second replaces the first.
   */
  afterCommit(work: AfterCommitWork): void;
  /**
   * Phased handlers only: this redelivery finds its work done or in hand (`recordedBefore`); the host acks
   * it, logs and counts it as a duplicate, as it does for other handlers' duplicates.
   */
  duplicate(details?: Record<string, unknown>): void;
}

export type AfterCommitWork = (ctx: AfterCommitContext) => Promise<void>;

/** What after-commit work gets: no open transaction, but a way to open short ones. */
export interface AfterCommitContext {
  readonly log: AppLogger;
  readonly deliveryCount: number;
  working(): void;
  /**
   * Runs `work` in a fresh transaction scoped like the handler's (the event's tenant, or every tenant for
   * platform events); the events it emits are written to the outbox in that same transaction.
   */
  transaction<T>(work: (tx: TransactionContext) => Promise<T>): Promise<T>;
}

export interface TransactionContext {
  readonly em: EntityManager;
  emit: Emit;
}

/**
 * What a batch handler (`@OnEvent(subject, { batch })`) gets besides its events: one transaction for one
 * tenant's events of a pull, which also records them in the inbox (duplicates never reach the handler)
 * and writes what it emits to the outbox. The messages are acknowledged after the commit.
 */
export interface BatchContext {
  /** A fresh EntityManager inside the tenant-scoped transaction. */
  readonly em: EntityManager;
  /** The tenant of every event of the call (row-level security is scoped to it). */
  readonly tenantId: string;
  /** Logger carrying tenantId, subject and the number of events; `logFor` gives one event's. */
  readonly log: AppLogger;
  /** Logger carrying one event's tenantId, correlationId and eventId: for lines about that event. */
  logFor(event: Envelope): AppLogger;
  /**
   * Writes a follow-up of `cause` (same tenant and correlation id, causation = cause) to the outbox in this
   * transaction; it is published after the commit.
   */
  emit<S extends Subject>(
    cause: Envelope,
    subject: S,
    payload: PayloadOf<S>,
    opts?: { id?: string },
  ): Promise<Envelope<S>>;
  /**
   * This event fails alone; the rest of the batch goes on. The handler must write nothing for it (its
   * follow-ups and its inbox record are dropped); after the commit its message is disposed of as a single
   * handler's error would be (`dispositionOf`: dead-lettered with the error's code and reason, or retried).
   */
  fail(event: Envelope, err: unknown): void;
  /** Tells JetStream the handler is still working on every message of the batch. */
  working(): void;
}
