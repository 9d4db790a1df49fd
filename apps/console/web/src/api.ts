import type {
  AckBody,
  ActionAccepted,
  AlertPage,
  AlertRow,
  ApiError,
  AuthConfig,
  DevUser,
  FleetPage,
  Histograms,
  Me,
  ModelDetail,
  ModelState,
  ModelType,
  Recipient,
  RecipientBody,
  RetrainBody,
  RollbackBody,
  TenantSummary,
} from '../../src/api/types';
import { navigate } from './router';

/** A non-2xx answer, with the server's message (ApiError.message, joined when it is a list). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

let csrfToken = '';

/** Remembered from Me: every POST and DELETE sends it back. */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

type Method = 'GET' | 'POST' | 'DELETE';

async function send(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    // Absent only before sign-in (POST /auth/dev/login), the one change that needs none.
    if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  }
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    signal,
  });
  if (res.ok) return res;
  if (res.status === 401 && window.location.pathname !== '/signin') navigate('/signin');
  throw new ApiFailure(res.status, await errorMessage(res));
}

async function errorMessage(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as Partial<ApiError>;
    if (Array.isArray(body.message)) return body.message.join('; ');
    if (typeof body.message === 'string' && body.message) return body.message;
  } catch {
    // A proxy's HTML error page, or no body: the status line is all there is.
  }
  return `${res.status} ${res.statusText}`.trim();
}

async function json<T>(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const res = await send(method, path, body, signal);
  return (await res.json()) as T;
}

async function noContent(method: Method, path: string, body?: unknown): Promise<void> {
  await send(method, path, body);
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const modelPath = (tenantId: string, modelType: ModelType) =>
  `/api/tenants/${encodeURIComponent(tenantId)}/models/${encodeURIComponent(modelType)}`;

export const api = {
  authConfig: (signal?: AbortSignal) => json<AuthConfig>('GET', '/auth/config', undefined, signal),
  devUsers: (signal?: AbortSignal) => json<DevUser[]>('GET', '/auth/dev/users', undefined, signal),
  devLogin: (userId: string) => json<Me>('POST', '/auth/dev/login', { userId }),
  logout: () => noContent('POST', '/auth/logout'),
  me: (signal?: AbortSignal) => json<Me>('GET', '/api/me', undefined, signal),
  tenants: (signal?: AbortSignal) => json<TenantSummary[]>('GET', '/api/tenants', undefined, signal),

  fleet: (
    p: { page: number; pageSize: number; q?: string; state?: ModelState | ''; model?: ModelType | '' },
    signal?: AbortSignal,
  ) => json<FleetPage>('GET', `/api/fleet${query(p)}`, undefined, signal),

  model: (tenantId: string, modelType: ModelType, days: number, signal?: AbortSignal) =>
    json<ModelDetail>('GET', `${modelPath(tenantId, modelType)}${query({ days })}`, undefined, signal),
  histograms: (tenantId: string, modelType: ModelType, date: string, signal?: AbortSignal) =>
    json<Histograms>(
      'GET',
      `${modelPath(tenantId, modelType)}/histograms${query({ date })}`,
      undefined,
      signal,
    ),
  rollback: (tenantId: string, modelType: ModelType, body: RollbackBody) =>
    json<ActionAccepted>('POST', `${modelPath(tenantId, modelType)}/rollback`, body),
  retrain: (tenantId: string, modelType: ModelType, body: RetrainBody) =>
    json<ActionAccepted>('POST', `${modelPath(tenantId, modelType)}/retrain`, body),

  recipients: (tenantId: string, signal?: AbortSignal) =>
    json<Recipient[]>('GET', `/api/tenants/${encodeURIComponent(tenantId)}/recipients`, undefined, signal),
  addRecipient: (tenantId: string, body: RecipientBody) =>
    json<Recipient>('POST', `/api/tenants/${encodeURIComponent(tenantId)}/recipients`, body),
  removeRecipient: (tenantId: string, id: string) =>
    noContent('DELETE', `/api/tenants/${encodeURIComponent(tenantId)}/recipients/${encodeURIComponent(id)}`),

  alerts: (p: { status: 'unacknowledged' | 'all'; page: number; pageSize: number }, signal?: AbortSignal) =>
    json<AlertPage>('GET', `/api/alerts${query(p)}`, undefined, signal),
  ack: (id: string, body: AckBody) =>
    json<AlertRow>('POST', `/api/alerts/${encodeURIComponent(id)}/ack`, body),
};

type AlertListener = (alert: AlertRow) => void;
const listeners = new Set<AlertListener>();
let stream: EventSource | null = null;

/**
 * New alerts as they are created. The header's badge and the alerts page both listen, so they share one
 * EventSource, opened with the first listener and closed with the last.
 */
export function subscribeAlerts(listener: AlertListener): () => void {
  listeners.add(listener);
  if (!stream) {
    stream = new EventSource('/api/alerts/stream');
    stream.addEventListener('alert', (e: MessageEvent<string>) => {
      const alert = JSON.parse(e.data) as AlertRow;
      for (const l of listeners) l(alert);
    });
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && stream) {
      stream.close();
      stream = null;
    }
  };
}
