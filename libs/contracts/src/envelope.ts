import { randomUUID } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import {
  IsDefined,
  IsISO8601,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  validateSync,
} from 'class-validator';
import type { ValidationError } from 'class-validator';
import { PAYLOAD_CLASSES, PAYLOAD_VERSIONS } from './event-map';
import type { PayloadOf } from './event-map';
import { ALL_SUBJECTS } from './subjects';
import type { Subject } from './subjects';

/** The one envelope every event travels in. */
export interface Envelope<S extends Subject = Subject> {
  id: string;
  type: S;
  version: number;
  occurredAt: string;
  correlationId: string;
  causationId?: string;
  tenantId: string;
  payload: PayloadOf<S>;
}

class EnvelopeShape {
  @IsUUID()
  id: string;

  @IsIn(ALL_SUBJECTS)
  type: Subject;

  @IsInt()
  @Min(1)
  version: number;

  @IsISO8601()
  occurredAt: string;

  @IsString()
  @MaxLength(200)
  correlationId: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  causationId?: string;

  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,100}$/)
  tenantId: string;

  @IsDefined()
  @IsObject()
  payload: Record<string, unknown>;
}

/** An event that cannot be accepted; it is dead-lettered with `reason`. */
export class ContractViolation extends Error {
  readonly code = 'CONTRACT_VIOLATION';
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ContractViolation';
  }
}

/** Bytes above which an event is refused (JetStream's default max payload is 1 MiB). */
export const MAX_EVENT_BYTES = 256 * 1024;

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) =>
      m.startsWith(e.property) ? `${parent ? `${parent}.` : ''}${m}` : `${path}: ${m}`,
    );
    return [...own, ...describe(e.children ?? [], path)];
  });
}

export interface CreateEnvelopeOptions {
  tenantId: string;
  correlationId?: string;
  causationId?: string;
  id?: string;
  occurredAt?: Date;
}

export function createEnvelope<S extends Subject>(
  type: S,
  payload: PayloadOf<S>,
  opts: CreateEnvelopeOptions,
): Envelope<S> {
  const id = opts.id ?? randomUUID();
  return {
    id,
    type,
    version: Math.max(...PAYLOAD_VERSIONS[type]),
    occurredAt: (opts.occurredAt ?? new Date()).toISOString(),
    correlationId: opts.correlationId ?? id,
    ...(opts.causationId ? { causationId: opts.causationId } : {}),
    tenantId: opts.tenantId,
    payload,
  };
}

/** An event caused by another: same tenant and correlation id, causation = the cause's id. */
export function followUp<S extends Subject>(
  cause: Envelope,
  type: S,
  payload: PayloadOf<S>,
  id?: string,
): Envelope<S> {
  return createEnvelope(type, payload, {
    tenantId: cause.tenantId,
    correlationId: cause.correlationId,
    causationId: cause.id,
    id,
  });
}

/**
 * Parses and validates raw message bytes arriving on `subject`. Throws ContractViolation with every
 * problem found; unknown fields are refused (whitelist + forbidNonWhitelisted).
 */
export function parseEnvelope<S extends Subject>(subject: S, data: Uint8Array | string): Envelope<S> {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  if (size > MAX_EVENT_BYTES)
    throw new ContractViolation(`event of ${size} bytes exceeds the ${MAX_EVENT_BYTES}-byte limit`);
  let raw: unknown;
  try {
    raw = JSON.parse(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
  } catch (err) {
    throw new ContractViolation(`malformed JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ContractViolation('event is not a JSON object');
  const shape = plainToInstance(EnvelopeShape, raw);
  const envelopeErrors = describe(validateSync(shape, { whitelist: true, forbidNonWhitelisted: true }));
  if (envelopeErrors.length > 0)
    throw new ContractViolation(`invalid envelope: ${envelopeErrors.join('; ')}`);
  if (shape.type !== subject)
    throw new ContractViolation(`envelope type "${shape.type}" arrived on subject "${subject}"`);
  if (!PAYLOAD_VERSIONS[subject].includes(shape.version)) {
    throw new ContractViolation(
      `unknown version ${shape.version} of "${subject}" (known: ${PAYLOAD_VERSIONS[subject].join(', ')})`,
    );
  }
  const cls = PAYLOAD_CLASSES[subject] as new () => object;
  const payload = plainToInstance(cls, shape.payload);
  const payloadErrors = describe(
    validateSync(payload, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }),
    'payload',
  );
  if (payloadErrors.length > 0) throw new ContractViolation(`invalid payload: ${payloadErrors.join('; ')}`);
  return { ...(raw as Envelope<S>), payload: payload as PayloadOf<S> };
}
