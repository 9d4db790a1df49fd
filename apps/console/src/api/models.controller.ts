import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseGuards,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MODEL_TYPES } from '@app/domain';
import type { ModelType } from '@app/domain';
import { UserScope } from '../auth/scope';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import type { ConsoleUser } from '../auth/user';
import { ActionsService } from './actions.service';
import { ModelsService } from './models.service';
import type { ActionAccepted, Histograms, ModelDetail } from './types';

export class ModelParams {
  @Matches(/^[A-Za-z0-9_-]{1,100}$/, { message: 'tenantId must be letters, digits, _ or -' })
  tenantId: string;

  @IsIn(MODEL_TYPES)
  modelType: ModelType;
}

export class DetailQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(730)
  days = 180;
}

export class HistogramQuery {
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be YYYY-MM-DD' })
  date: string;
}

export class RollbackBody {
  @IsOptional()
  @IsInt()
  @Min(1)
  toVersion?: number;

  @IsString()
  @MinLength(3)
  @MaxLength(500)
  reason: string;
}

export class RetrainBody {
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  reason: string;
}

/** A model's page, its histograms, and the actions on it (each checked against the person's tenant). */
@ApiTags('models')
@Controller('api/tenants/:tenantId/models/:modelType')
@UseGuards(SessionGuard)
@UsePipes(new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true }))
export class ModelsController {
  constructor(
    private readonly scope: UserScope,
    private readonly models: ModelsService,
    private readonly actions: ActionsService,
  ) {}

  @Get()
  detail(
    @CurrentUser() user: ConsoleUser,
    @Param() p: ModelParams,
    @Query() q: DetailQuery,
  ): Promise<ModelDetail> {
    return this.scope.tenant(user, p.tenantId, (em) =>
      this.models.detail(em, { tenantId: p.tenantId, modelType: p.modelType, days: q.days }),
    );
  }

  @Get('histograms')
  histograms(
    @CurrentUser() user: ConsoleUser,
    @Param() p: ModelParams,
    @Query() q: HistogramQuery,
  ): Promise<Histograms> {
    return this.scope.tenant(user, p.tenantId, (em) =>
      this.models.histograms(em, { tenantId: p.tenantId, modelType: p.modelType, date: q.date }),
    );
  }

  @Post('rollback')
  @HttpCode(202)
  async rollback(
    @CurrentUser() user: ConsoleUser,
    @Param() p: ModelParams,
    @Body() b: RollbackBody,
  ): Promise<ActionAccepted> {
    const { accepted, envelope } = await this.scope.tenant(user, p.tenantId, (em) =>
      this.actions.rollback(em, user, { ...p, toVersion: b.toVersion, reason: b.reason }),
    );
    this.actions.published(envelope);
    return accepted;
  }

  @Post('retrain')
  @HttpCode(202)
  async retrain(
    @CurrentUser() user: ConsoleUser,
    @Param() p: ModelParams,
    @Body() b: RetrainBody,
  ): Promise<ActionAccepted> {
    const { accepted, envelope } = await this.scope.tenant(user, p.tenantId, (em) =>
      this.actions.retrain(em, user, { ...p, reason: b.reason }),
    );
    this.actions.published(envelope);
    return accepted;
  }
}
