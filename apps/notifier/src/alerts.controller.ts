import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import {
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ArrayMinSize,
} from 'class-validator';
import { MikroORM } from '@mikro-orm/postgresql';
import { ValidationPipe } from '@nestjs/common';
import { UsePipes } from '@nestjs/common';
import { inPlatformTransaction, inTenantTransaction } from '@app/database';
import { DeliveriesRepository } from './deliveries.repository';

class AckBody {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  by: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

class RecipientBody {
  @Matches(/^[A-Za-z0-9_-]{1,100}$/)
  tenantId: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @IsIn(['email', 'slack', 'in_app', 'webhook'])
  channel: string;

  /** Email address, in-app user id, or the name of a configured Slack / webhook endpoint (never a URL). */
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  @Matches(/^(?!https?:)/, {
    message:
      'address must not be a URL: configure the endpoint in SLACK_WEBHOOKS / WEBHOOKS and use its name',
  })
  address: string;

  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  eventKinds: string[];
}

/** Acknowledging alerts, and the stakeholder lists (the notifier owns both). */
@Controller()
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }))
export class AlertsController {
  constructor(
    private readonly orm: MikroORM,
    private readonly deliveries: DeliveriesRepository,
  ) {}

  /** Acknowledging twice is harmless: the first acknowledgment stands. */
  @Post('alerts/:id/ack')
  @HttpCode(200)
  async ack(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: AckBody,
  ): Promise<Record<string, unknown>> {
    // By notification id, whichever tenant it belongs to (the notifier's role may act platform-wide).
    const r = await inPlatformTransaction(this.orm, (em) =>
      this.deliveries.acknowledge(em, id, body.by, body.note ?? null),
    );
    if (!r.found) throw new NotFoundException(`no notification ${id}`);
    return {
      notificationId: id,
      acknowledged: true,
      alreadyAcknowledged: !r.created,
      acknowledgedBy: r.acknowledgedBy,
      acknowledgedAt: r.acknowledgedAt,
    };
  }

  @Get('recipients')
  async list(@Query('tenant') tenant: string): Promise<unknown[]> {
    return inTenantTransaction(this.orm, tenant, (em) =>
      em.execute(
        `select id, name, channel, address, event_kinds, is_active from notification_recipients where tenant_id = ? order by channel, address`,
        [tenant],
      ),
    );
  }

  @Post('recipients')
  async add(@Body() b: RecipientBody): Promise<unknown> {
    const [row] = await inTenantTransaction(this.orm, b.tenantId, (em) =>
      em.execute<{ id: string }[]>(
        `insert into notification_recipients (tenant_id, name, channel, address, event_kinds) values (?, ?, ?, ?, ?::jsonb)
       on conflict (tenant_id, channel, address) do update set name = excluded.name, event_kinds = excluded.event_kinds, is_active = true returning id`,
        [b.tenantId, b.name, b.channel, b.address, JSON.stringify(b.eventKinds)],
      ),
    );
    return { id: row!.id };
  }

  @Delete('recipients/:id')
  async remove(@Param('id', new ParseUUIDPipe()) id: string): Promise<unknown> {
    const rows = await inPlatformTransaction(this.orm, (em) =>
      em.execute<{ id: string }[]>(
        `update notification_recipients set is_active = false where id = ? returning id`,
        [id],
      ),
    );
    if (rows.length === 0) throw new NotFoundException(`no recipient ${id}`);
    return { id, removed: true };
  }
}
