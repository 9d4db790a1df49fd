import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppLogger } from '@app/common';
import type { Envelope, PayloadOf, Subject } from '@app/contracts';

/** What a handler gets besides its event. */
export interface HandlerContext {
  /** A fresh EntityManager inside the transaction that also records the event as processed. */
  readonly em: EntityManager;
  /** Logger carrying tenantId, correlationId, eventId and subject. */
  readonly log: AppLogger;
  /** Deliveries of this message so far (1 on the first). Not a duplicate detector: the inbox is. */
  readonly deliveryCount: number;
  /**
   * Writes a follow-up event (same tenant and correlation id, causation = this event) to the outbox in
   * the handler's transaction; it is published after the commit. `id` makes it deterministic.
   */
  emit<S extends Subject>(
    subject: S,
    payload: PayloadOf<S>,
    opts?: { id?: string; tenantId?: string },
  ): Promise<Envelope<S>>;
  /** Tells JetStream the handler is still working (long handlers; the host also does it on a timer). */
  working(): void;
}
