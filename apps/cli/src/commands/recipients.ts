import type { CliIO, ParsedFlags } from '@app/common';
import type { CliConfig } from '../cli.config';
import { NotifierClient } from '@app/contracts';
import type { ExitCode } from './types';

export type RecipientsAction = 'list' | 'add' | 'remove';

/** `recipients`: the stakeholder lists, edited through the notifier (which owns them). */
export async function recipients(
  config: CliConfig,
  action: RecipientsAction,
  flags: ParsedFlags,
  { out, err }: CliIO,
): Promise<ExitCode> {
  const notifier = new NotifierClient(config.NOTIFIER_URL, config.NOTIFIER_TOKEN);
  switch (action) {
    case 'list': {
      const tenant = String(flags.tenant);
      const answer = await notifier.recipients(tenant);
      if (!answer.ok) {
        err(answer.message);
        return 1;
      }
      if (answer.value.length === 0)
        out(`${tenant} has no recipients: its alerts go in-app to its ML administrators`);
      for (const r of answer.value)
        out(
          `${r.id}  ${r.channel.padEnd(8)} ${r.address.padEnd(40)} ${r.event_kinds.join(',').padEnd(30)} ${r.is_active ? r.name : `${r.name} (removed)`}`,
        );
      return 0;
    }
    case 'add': {
      const answer = await notifier.addRecipient({
        tenantId: String(flags.tenant),
        name: String(flags.name ?? flags.address),
        channel: String(flags.channel),
        address: String(flags.address),
        eventKinds: String(flags.events ?? '*').split(','),
      });
      if (!answer.ok) {
        err(answer.message);
        return 1;
      }
      out(`✓ recipient ${answer.value.id} added`);
      return 0;
    }
    case 'remove': {
      const id = String(flags.id);
      const answer = await notifier.removeRecipient(id);
      if (!answer.ok) {
        err(answer.notFound ? `no recipient ${id}` : answer.message);
        return 1;
      }
      out(`✓ recipient ${id} removed`);
      return 0;
    }
  }
}
