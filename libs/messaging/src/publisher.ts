import { headers } from '@nats-io/transport-node';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import type { Envelope } from '@app/contracts';
import { HDR } from './headers';
import type { Topology } from './topology';

/**
 * Publishes an envelope with `Nats-Msg-Id` = envelope id, so a retried publish of the same event is
 * dropped by JetStream's duplicate window. Services publish through the outbox; the CLI and tests
 * publish directly.
 */
export async function publishEnvelope(
  js: JetStreamClient,
  topology: Topology,
  envelope: Envelope,
): Promise<PubAck> {
  const h = headers();
  h.set(HDR.correlationId, envelope.correlationId);
  h.set(HDR.tenantId, envelope.tenantId);
  return js.publish(topology.subject(envelope.type), JSON.stringify(envelope), {
    msgID: envelope.id,
    headers: h,
  });
}
