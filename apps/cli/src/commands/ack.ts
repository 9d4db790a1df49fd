import type { CliIO, ParsedFlags } from '@app/common';
import type { CliConfig } from '../cli.config';
import { NotifierClient } from '@app/contracts';
import type { ExitCode } from './types';

/** `ack`: acknowledges an alert through the notifier (which owns acknowledgments). */
export async function ack(config: CliConfig, flags: ParsedFlags, { out, err }: CliIO): Promise<ExitCode> {
  const id = String(flags.notification);
  const answer = await new NotifierClient(config.NOTIFIER_URL, config.NOTIFIER_TOKEN).ack(
    id,
    String(flags.by),
    flags.note === undefined ? undefined : String(flags.note),
  );
  if (!answer.ok) {
    err(answer.notFound ? `no notification ${id}` : answer.message);
    return 1;
  }
  const r = answer.value;
  out(
    r.alreadyAcknowledged
      ? `✓ notification ${id} was already acknowledged by ${r.acknowledgedBy} at ${r.acknowledgedAt}`
      : `✓ notification ${id} acknowledged by ${r.acknowledgedBy}`,
  );
  return 0;
}
