import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import type { CliIO, ParsedFlags } from '@app/common';
import { modelVersions, planRollback, versionBefore } from '@app/database';
import type { ModelVersionView, RollbackPlan } from '@app/database';
import type { ModelType } from '@app/domain';
import { CliBus } from '../bus';
import type { CliConfig } from '../cli.config';
import { withDatabase } from '../database';
import type { ExitCode } from './types';

/** Why the CLI will not ask, in the CLI's words (the validator refuses the same cases by the same rules). */
export function refusal(
  plan: Extract<RollbackPlan, { ok: false }>,
  versions: readonly ModelVersionView[],
  tenantId: string,
  modelType: ModelType,
  requested: number | undefined,
): string {
  switch (plan.code) {
    case 'NOTHING_TO_ROLL_BACK': {
      const active = versions.find((v) => v.active);
      return active
        ? `${tenantId} ${modelType} v${active.version} has no earlier version: nothing to roll back`
        : `${tenantId} has no active ${modelType} model: nothing to roll back`;
    }
    case 'ALREADY_ACTIVE':
      return `${modelType} v${requested} is already active`;
    case 'NO_SUCH_VERSION':
      return `${tenantId} has no ${modelType} version ${requested} (versions: ${versions.map((v) => v.version).join(', ')})`;
    case 'NEVER_DEPLOYED':
      return `${tenantId} ${modelType} v${requested} was never in production (a shadow challenger that was not promoted)`;
  }
}

/**
 * `rollback`: asks the validator to reactivate an earlier version, and waits for the deployment. The
 * rollback rules (libs/database planRollback) are asked first, so a request they refuse is never published.
 */
export async function rollback(
  config: CliConfig,
  flags: ParsedFlags,
  { out, err }: CliIO,
): Promise<ExitCode> {
  const tenantId = String(flags.tenant);
  const modelType = flags.model as ModelType;
  const requested = flags['to-version'] as number | undefined;
  const { plan, versions } = await withDatabase(config.DATABASE_URL, async (em) => {
    const all = await modelVersions(em, tenantId, modelType);
    const active = all.find((v) => v.active);
    const previous =
      requested === undefined && active ? await versionBefore(em, tenantId, modelType, active.version) : null;
    return { plan: planRollback(all, requested, previous), versions: all };
  });
  if (!plan.ok) {
    err(refusal(plan, versions, tenantId, modelType, requested));
    return 1;
  }
  const bus = await CliBus.open(config.NATS_URL, config.SUBJECT_PREFIX);
  try {
    const request = createEnvelope(
      'model.rollback.requested',
      {
        modelType,
        toVersion: requested,
        requestedBy: 'cli',
        reason: 'rollback requested from the command line',
      },
      { tenantId },
    );
    await bus.publish(request);
    let deployed: Envelope<'model.deployed'> | undefined;
    const finished = await bus.watch(
      (e) => {
        if (e.correlationId !== request.correlationId || e.type !== 'model.deployed') return false;
        deployed = e as Envelope<'model.deployed'>;
        return true;
      },
      ((flags.timeout as number | undefined) ?? 60) * 1000,
    );
    if (!finished || !deployed) {
      err('⏱  no answer from the validator: is it running? (npm run start:validator)');
      return 1;
    }
    out(
      `↩  ${tenantId} ${modelType}: v${deployed.payload.version} is active again (was v${deployed.payload.previousVersion ?? '-'})`,
    );
    return 0;
  } finally {
    await bus.close();
  }
}
