import { ArrayMinSize, IsArray, IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { NOTIFICATION_CHANNELS } from '@app/domain';
import type { NotificationChannel } from '@app/domain';

/**
 * A recipient's fields as the notifier's HTTP API takes them (POST /recipients adds the tenant): one
 * class, validated where it enters, by the notifier and by the console that forwards a person's form.
 */
export class RecipientFields {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @IsIn(NOTIFICATION_CHANNELS)
  channel: NotificationChannel;

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

/**
 * The notifier's HTTP API, as the CLI and the console use it: acknowledgments and recipients are the
 * notifier's tables, so they ask it to change them. Every call either answers or says why, in a sentence
 * for a person; nothing here throws for a notifier that is down or refuses. With a token, each call
 * carries it as `Authorization: Bearer` (the notifier's SERVICE_TOKEN).
 */
export type NotifierAnswer<T> = { ok: true; value: T } | { ok: false; notFound: boolean; message: string };

export interface Acknowledgment {
  alreadyAcknowledged: boolean;
  acknowledgedBy: string;
  acknowledgedAt: string;
}

/** A recipient as the notifier lists it (its JSON, snake_case as the notifier answers). */
export interface RecipientView {
  id: string;
  name: string;
  channel: string;
  address: string;
  event_kinds: string[];
  is_active: boolean;
}

export interface NewRecipient {
  tenantId: string;
  name: string;
  channel: string;
  address: string;
  eventKinds: string[];
}

export class NotifierClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token = '',
  ) {}

  ack(notificationId: string, by: string, note?: string): Promise<NotifierAnswer<Acknowledgment>> {
    return this.call('POST', `/alerts/${notificationId}/ack`, { by, ...(note ? { note } : {}) });
  }

  recipients(tenantId: string): Promise<NotifierAnswer<RecipientView[]>> {
    return this.call('GET', `/recipients?tenant=${encodeURIComponent(tenantId)}`);
  }

  addRecipient(r: NewRecipient): Promise<NotifierAnswer<{ id: string }>> {
    return this.call('POST', '/recipients', r);
  }

  removeRecipient(id: string): Promise<NotifierAnswer<unknown>> {
    return this.call('DELETE', `/recipients/${id}`);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<NotifierAnswer<T>> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      return {
        ok: false,
        notFound: false,
        message: `the notifier does not answer at ${this.baseUrl}: is it running? (npm run start:notifier)`,
      };
    }
    if (!res.ok)
      return {
        ok: false,
        notFound: res.status === 404,
        message: `the notifier refused: HTTP ${res.status} ${await res.text()}`,
      };
    const text = await res.text();
    return { ok: true, value: (text ? JSON.parse(text) : null) as T };
  }
}
