import { Controller, Get, Query, UseGuards, UsePipes, ValidationPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { fleetEntries, tenantListing } from '@app/database';
import type { FleetEntry } from '@app/database';
import { MODEL_CONFIGS, MODEL_TYPES } from '@app/domain';
import type { ModelType } from '@app/domain';
import { UserScope } from '../auth/scope';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import type { ConsoleUser } from '../auth/user';
import { modelState, STATE_ORDER } from './state';
import { MODEL_STATES } from './types';
import type { FleetPage, FleetRow, ModelState, TenantSummary } from './types';

export class FleetQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page = 1;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  pageSize = 50;

  /** Part of a tenant's id or name. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @IsOptional()
  @IsIn(MODEL_STATES)
  state?: ModelState;

  @IsOptional()
  @IsIn(MODEL_TYPES)
  model?: ModelType;
}

export function fleetRow(e: FleetEntry, state: ModelState): FleetRow {
  const c = e.lastCheck;
  return {
    tenantId: e.tenantId,
    tenantName: e.tenantName,
    modelType: e.modelType,
    state,
    activeVersion: e.activeVersion,
    deployedAt: e.deployedAt?.toISOString() ?? null,
    lastCheck: c && {
      logicalDate: c.logicalDate,
      decision: c.decision,
      maxPsi: c.maxPsi,
      maxPsiFeature: c.maxPsiFeature,
      accuracy: c.accuracySource === 'estimated' ? c.estimated : c.realized,
      accuracySource: c.accuracySource,
      checkedAt: c.checkedAt.toISOString(),
    },
    openEpisode: e.openEpisode,
    unacknowledgedAlerts: e.unacknowledgedAlerts,
    challengerVersion: e.challengerVersion,
  };
}

/** The fleet: every tenant's four models with their state, worst first; the tenants in scope. */
@ApiTags('fleet')
@Controller('api')
@UseGuards(SessionGuard)
@UsePipes(new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true }))
export class FleetController {
  constructor(private readonly scope: UserScope) {}

  @Get('fleet')
  async fleet(@CurrentUser() user: ConsoleUser, @Query() q: FleetQuery): Promise<FleetPage> {
    const entries = await this.scope.all(user, (em) => fleetEntries(em, { search: q.q, modelType: q.model }));
    const judged = entries.map((e) => ({
      e,
      state: modelState(e, { accuracyThreshold: MODEL_CONFIGS[e.modelType].accuracyThreshold }),
    }));
    const counts = Object.fromEntries(MODEL_STATES.map((s) => [s, 0])) as Record<ModelState, number>;
    for (const j of judged) counts[j.state] += 1;
    const kept = (q.state ? judged.filter((j) => j.state === q.state) : judged).sort(
      (a, b) =>
        STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
        a.e.tenantId.localeCompare(b.e.tenantId) ||
        MODEL_TYPES.indexOf(a.e.modelType) - MODEL_TYPES.indexOf(b.e.modelType),
    );
    const start = (q.page - 1) * q.pageSize;
    return {
      rows: kept.slice(start, start + q.pageSize).map((j) => fleetRow(j.e, j.state)),
      total: kept.length,
      page: q.page,
      pageSize: q.pageSize,
      counts,
    };
  }

  @Get('tenants')
  async tenants(@CurrentUser() user: ConsoleUser): Promise<TenantSummary[]> {
    return this.scope.all(user, (em) => tenantListing(em));
  }
}
