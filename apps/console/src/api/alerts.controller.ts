import {
  Body,
  Controller,
  Get,
  HttpCode,
  MessageEvent,
  OnModuleDestroy,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Sse,
  UseGuards,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Observable } from 'rxjs';
import type { Subscriber } from 'rxjs';
import type { Socket } from 'node:net';
import type { Request } from 'express';
import { AppLogger, errorMessage } from '@app/common';
import { NotifierClient } from '@app/contracts';
import { alertById, alertsAfter, alertsPage } from '@app/database';
import type { AlertView } from '@app/database';
import { UserScope } from '../auth/scope';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import type { ConsoleUser } from '../auth/user';
import { ConsoleConfig } from '../console.config';
import { ConsoleError } from '../errors';
import type { AlertPage, AlertRow } from './types';

export class AlertsQuery {
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,100}$/)
  tenant?: string;

  @IsOptional()
  @IsIn(['unacknowledged', 'all'])
  status: 'unacknowledged' | 'all' = 'unacknowledged';

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page = 1;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  pageSize = 50;
}

export class AckBody {
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export function alertRow(a: AlertView): AlertRow {
  return {
    id: a.id,
    tenantId: a.tenantId,
    modelType: a.modelType,
    models: a.models,
    severity: a.severity,
    eventType: a.eventType,
    subject: a.subject,
    createdAt: a.createdAt.toISOString(),
    deliveries: a.deliveries.map((d) => ({ channel: d.channel, recipient: d.recipient, status: d.status })),
    acknowledged: a.acknowledged && {
      by: a.acknowledged.by,
      at: a.acknowledged.at.toISOString(),
      note: a.acknowledged.note,
    },
  };
}

/** Alerts: a page (unacknowledged first), acknowledging one (through the notifier), and a live stream. */
@ApiTags('alerts')
@Controller('api/alerts')
@UseGuards(SessionGuard)
@UsePipes(new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true }))
export class AlertsController implements OnModuleDestroy {
  private readonly notifier: NotifierClient;
  /**
   * The open live streams and their connections: ended at shutdown, or a connected browser would hold the
   * server open (an ended stream's connection would still wait out its keep-alive).
   */
  private readonly streams = new Map<Subscriber<MessageEvent>, Socket>();

  constructor(
    private readonly scope: UserScope,
    private readonly c: ConsoleConfig,
    private readonly log: AppLogger,
  ) {
    this.notifier = new NotifierClient(c.NOTIFIER_URL, c.NOTIFIER_TOKEN);
  }

  /** Shutdown: every live stream ends. */
  async onModuleDestroy(): Promise<void> {
    const open = [...this.streams];
    for (const [sub] of open) sub.complete();
    // Once the streams' last bytes are out, their connections end: the browser's EventSource reconnects
    // (to another replica), and the server does not wait out their keep-alive.
    await new Promise((resolve) => setImmediate(resolve));
    for (const [, socket] of open) socket.end();
  }

  @Get()
  async list(@CurrentUser() user: ConsoleUser, @Query() q: AlertsQuery): Promise<AlertPage> {
    const query = {
      unacknowledgedOnly: q.status === 'unacknowledged',
      limit: q.pageSize,
      offset: (q.page - 1) * q.pageSize,
    };
    const page = q.tenant
      ? await this.scope.tenant(user, q.tenant, (em) => alertsPage(em, { ...query, tenantId: q.tenant }))
      : await this.scope.all(user, (em) => alertsPage(em, query));
    return {
      rows: page.rows.map(alertRow),
      total: page.total,
      unacknowledged: page.unacknowledged,
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  /**
   * Acknowledged by the signed-in person (their email is who), through the notifier that owns the table:
   * every delivery of the message, so that none is reminded of again; acknowledging twice keeps the
   * first. Another tenant's alert is a 404, as one that does not exist.
   */
  @Post(':id/ack')
  @HttpCode(200)
  async ack(
    @CurrentUser() user: ConsoleUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() b: AckBody,
  ): Promise<AlertRow> {
    const alert = await this.scope.all(user, (em) => alertById(em, id));
    if (!alert) throw new ConsoleError('NOT_FOUND', `no alert ${id}`);
    for (const d of alert.deliveries) {
      const answer = await this.notifier.ack(d.id, user.email, b.note);
      if (!answer.ok) {
        this.log.warn('acknowledgement refused by the notifier', {
          tenantId: alert.tenantId,
          id,
          delivery: d.id,
          why: answer.message,
        });
        throw new ConsoleError(answer.notFound ? 'NOT_FOUND' : 'NOTIFIER_UNAVAILABLE', answer.message);
      }
    }
    this.log.info('alert acknowledged', {
      tenantId: alert.tenantId,
      id,
      deliveries: alert.deliveries.length,
    });
    const after = await this.scope.tenant(user, alert.tenantId, (em) => alertById(em, id));
    return alertRow(after ?? alert);
  }

  /**
   * Server-sent events: every alert in the person's scope created after the stream opened, as it is
   * stored (`event: alert`). Polls the database every CONSOLE_ALERT_POLL_MS; one query per stream.
   */
  @Sse('stream')
  stream(
    @CurrentUser() user: ConsoleUser,
    @Req() req: Request,
    @Query('tenant') tenant?: string,
  ): Observable<MessageEvent> {
    return new Observable<MessageEvent>((sub) => {
      this.streams.set(sub, req.socket);
      let after = new Date();
      let busy = false;
      const poll = async (): Promise<void> => {
        if (busy) return;
        busy = true;
        try {
          const work = (em: Parameters<Parameters<UserScope['all']>[1]>[0]) =>
            alertsAfter(em, { after, tenantId: tenant, limit: 100 });
          const fresh = tenant
            ? await this.scope.tenant(user, tenant, work)
            : await this.scope.all(user, work);
          for (const a of fresh) {
            sub.next({ type: 'alert', data: alertRow(a) });
            if (a.createdAt > after) after = a.createdAt;
          }
        } catch (err) {
          if (err instanceof ConsoleError) sub.error(err);
          else this.log.warn('alert stream poll failed; trying again', { err: errorMessage(err) });
        } finally {
          busy = false;
        }
      };
      const timer = setInterval(() => void poll(), this.c.CONSOLE_ALERT_POLL_MS);
      return () => {
        clearInterval(timer);
        this.streams.delete(sub);
      };
    });
  }
}
