import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  UseGuards,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsUUID, Matches } from 'class-validator';
import { AppLogger } from '@app/common';
import { NotifierClient, RecipientFields } from '@app/contracts';
import { recipientsOf, recipientTenant } from '@app/database';
import { UserScope } from '../auth/scope';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import type { ConsoleUser } from '../auth/user';
import { ConsoleConfig } from '../console.config';
import { ConsoleError } from '../errors';
import type { Recipient } from './types';

export class TenantParam {
  @Matches(/^[A-Za-z0-9_-]{1,100}$/, { message: 'tenantId must be letters, digits, _ or -' })
  tenantId: string;
}

export class RecipientParams extends TenantParam {
  @IsUUID()
  id: string;
}

/** What a person's form sends: the notifier's own fields, checked here before they are forwarded. */
export class RecipientBody extends RecipientFields {}

/** A tenant's recipients: read here, changed through the notifier (their owner), in the person's tenant only. */
@ApiTags('recipients')
@Controller('api/tenants/:tenantId/recipients')
@UseGuards(SessionGuard)
@UsePipes(new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true }))
export class RecipientsController {
  private readonly notifier: NotifierClient;

  constructor(
    private readonly scope: UserScope,
    c: ConsoleConfig,
    private readonly log: AppLogger,
  ) {
    this.notifier = new NotifierClient(c.NOTIFIER_URL, c.NOTIFIER_TOKEN);
  }

  @Get()
  async list(@CurrentUser() user: ConsoleUser, @Param() p: TenantParam): Promise<Recipient[]> {
    const rows = await this.scope.tenant(user, p.tenantId, (em) => recipientsOf(em, p.tenantId));
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      channel: r.channel as Recipient['channel'],
      address: r.address,
      eventKinds: r.eventKinds,
      active: r.active,
    }));
  }

  /** Answers the recipient as stored (201). */
  @Post()
  async add(
    @CurrentUser() user: ConsoleUser,
    @Param() p: TenantParam,
    @Body() b: RecipientBody,
  ): Promise<Recipient> {
    // The scope check first: an admin cannot add a recipient to another tenant.
    await this.scope.tenant(user, p.tenantId, () => Promise.resolve());
    const answer = await this.notifier.addRecipient({ tenantId: p.tenantId, ...b });
    if (!answer.ok) throw this.refused(p.tenantId, answer);
    this.log.info('recipient added', { tenantId: p.tenantId, channel: b.channel, by: user.email });
    const stored = (await this.list(user, p)).find((r) => r.id === answer.value.id);
    if (!stored)
      throw new ConsoleError('NOTIFIER_UNAVAILABLE', `recipient ${answer.value.id} was not stored`);
    return stored;
  }

  /** 204: removed (it stops receiving; the notifier keeps the row, inactive, for the record). */
  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentUser() user: ConsoleUser, @Param() { tenantId, id }: RecipientParams): Promise<void> {
    const p = { tenantId };
    const owner = await this.scope.tenant(user, p.tenantId, (em) => recipientTenant(em, id));
    if (owner !== p.tenantId)
      throw new ConsoleError('NOT_FOUND', `no recipient ${id} for tenant ${p.tenantId}`);
    const answer = await this.notifier.removeRecipient(id);
    if (!answer.ok) throw this.refused(p.tenantId, answer);
    this.log.info('recipient removed', { tenantId: p.tenantId, id, by: user.email });
  }

  private refused(tenantId: string, answer: { notFound: boolean; message: string }): ConsoleError {
    this.log.warn('the notifier refused a recipient change', { tenantId, why: answer.message });
    // The notifier's 400 (a URL as an address, an unknown event kind) is the person's input, said as is.
    if (/HTTP 400/.test(answer.message)) return new ConsoleError('BAD_INPUT', answer.message);
    return new ConsoleError(answer.notFound ? 'NOT_FOUND' : 'NOTIFIER_UNAVAILABLE', answer.message);
  }
}
