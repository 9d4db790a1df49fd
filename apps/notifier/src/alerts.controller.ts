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
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { MikroORM } from '@mikro-orm/postgresql';
import { ValidationPipe } from '@nestjs/common';
import { UseGuards, UsePipes } from '@nestjs/common';
import { inPlatformTransaction, inTenantTransaction } from '@app/database';
import { RecipientFields } from '@app/contracts';
import { ServiceTokenGuard } from '@app/messaging';
import type { NotificationChannel } from '@app/domain';
import { DeliveriesRepository, RecipientsRepository } from './deliveries.repository';

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

class RecipientBody extends RecipientFields {
  @Matches(/^[A-Za-z0-9_-]{1,100}$/)
  tenantId: string;
}

/** Acknowledging alerts, and the stakeholder lists (the notifier owns both): for holders of the service token. */
@Controller()
@UseGuards(ServiceTokenGuard)
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }))
export class AlertsController {
  constructor(
    private readonly orm: MikroORM,
    private readonly deliveries: DeliveriesRepository,
    private readonly recipients: RecipientsRepository,
  ) {}

  /** Acknowledging twice is harmless: the first acknowledgment stands. */
  @Post('alerts/:id/ack')
  @HttpCode(200)
  async ack(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: AckBody,
  ): Promise<{
    notificationId: string;
    acknowledged: true;
    alreadyAcknowledged: boolean;
    acknowledgedBy: string;
    acknowledgedAt: Date;
  }> {
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

  /**
   * A tenant's list. The fields keep the names this endpoint has always answered with (the CLI and any
   * other client read them), whatever the repository calls them.
   */
  @Get('recipients')
  async list(@Query('tenant') tenant: string): Promise<RecipientWire[]> {
    const entries = await inTenantTransaction(this.orm, tenant, (em) => this.recipients.list(em, tenant));
    return entries.map((r) => ({
      id: r.id,
      name: r.name,
      channel: r.channel,
      address: r.address,
      event_kinds: r.eventKinds,
      is_active: r.active,
    }));
  }

  @Post('recipients')
  async add(@Body() b: RecipientBody): Promise<{ id: string }> {
    const id = await inTenantTransaction(this.orm, b.tenantId, (em) =>
      this.recipients.upsert(em, {
        tenantId: b.tenantId,
        name: b.name,
        channel: b.channel,
        address: b.address,
        eventKinds: b.eventKinds,
      }),
    );
    return { id };
  }

  @Delete('recipients/:id')
  async remove(@Param('id', new ParseUUIDPipe()) id: string): Promise<{ id: string; removed: true }> {
    // By id, whichever tenant it belongs to (the notifier's role may act platform-wide).
    const removed = await inPlatformTransaction(this.orm, (em) => this.recipients.deactivate(em, id));
    if (!removed) throw new NotFoundException(`no recipient ${id}`);
    return { id, removed: true };
  }
}

/** What GET /recipients answers, one entry a recipient. */
interface RecipientWire {
  id: string;
  name: string;
  channel: NotificationChannel;
  address: string;
  event_kinds: string[];
  is_active: boolean;
}
