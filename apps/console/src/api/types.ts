/**
 * The console's JSON API, as the browser sees it: every response body and request body of `/api` and
 * `/auth`. The server's controllers return these shapes and the web UI (apps/console/web) imports them
 * (type only), so the two cannot drift apart. Dates are ISO strings (`2026-11-30T02:00:00.000Z`), logical
 * dates `YYYY-MM-DD`. Every change (POST, DELETE) needs the header `X-CSRF-Token: <Me.csrfToken>`.
 */

export type ModelType = 'claim_outcome' | 'timeline' | 'churn_risk' | 'assignment';
export const CONSOLE_MODEL_TYPES: readonly ModelType[] = [
  'claim_outcome',
  'timeline',
  'churn_risk',
  'assignment',
];

/** `operator`: every tenant. `tenant_admin`: one union local's admin, its own tenant only. */
export type ConsoleRole = 'operator' | 'tenant_admin';

/** GET /api/me (401 when not signed in). */
export interface Me {
  userId: string;
  name: string;
  email: string;
  role: ConsoleRole;
  /** The admin's tenant; null for an operator. */
  tenantId: string | null;
  /** Send back as `X-CSRF-Token` on every POST and DELETE. */
  csrfToken: string;
}

/** GET /auth/config: how this console signs people in. */
export interface AuthConfig {
  /** OpenID Connect configured: GET /auth/login starts it. */
  oidc: boolean;
  /** Development sign-in (CONSOLE_DEV_LOGIN=true): GET /auth/dev/users, POST /auth/dev/login. */
  devLogin: boolean;
}

/** GET /auth/dev/users (404 unless CONSOLE_DEV_LOGIN=true): who the development sign-in offers. */
export interface DevUser {
  userId: string;
  name: string;
  email: string;
  role: ConsoleRole;
  tenantId: string | null;
  tenantName: string | null;
}

/** POST /auth/dev/login body; answers `Me` and sets the session cookie. POST /auth/logout ends it (204). */
export interface DevLoginBody {
  userId: string;
}

/**
 * What a model is going through, worst first:
 * - failing: its last check found accuracy under the threshold (realized or estimated);
 * - retraining: a training run is queued or running;
 * - drifting: an episode is open, or the last check breached (input drift);
 * - awaiting_labels: drifted, but a retrain would learn nothing new until labels arrive;
 * - healthy: the last check found nothing;
 * - unknown: no active version, or never checked.
 */
export type ModelState = 'failing' | 'retraining' | 'drifting' | 'awaiting_labels' | 'healthy' | 'unknown';
export const MODEL_STATES: readonly ModelState[] = [
  'failing',
  'retraining',
  'drifting',
  'awaiting_labels',
  'healthy',
  'unknown',
];

export type DriftDecision =
  | 'retrain'
  | 'awaiting_labels'
  | 'watching'
  | 'no_action'
  | 'insufficient_labels'
  | 'insufficient_data'
  | 'suppressed';

export interface Interval {
  value: number;
  low: number | null;
  high: number | null;
  /** Predictions it was computed on. */
  n: number;
}

export interface LastCheck {
  logicalDate: string;
  decision: DriftDecision;
  maxPsi: number | null;
  maxPsiFeature: string | null;
  /** The accuracy that decided (realized when enough labels, else estimated). */
  accuracy: Interval | null;
  accuracySource: 'realized' | 'estimated' | null;
  checkedAt: string;
}

export interface EpisodeSummary {
  id: string;
  condition: 'drift' | 'accuracy' | 'drift_and_accuracy';
  status: 'open' | 'closed';
  startedOn: string;
  lastSeenOn: string;
  endedOn: string | null;
  days: number;
  retrains: number;
}

/** One row of the fleet: one tenant's model. */
export interface FleetRow {
  tenantId: string;
  tenantName: string;
  modelType: ModelType;
  state: ModelState;
  activeVersion: number | null;
  deployedAt: string | null;
  lastCheck: LastCheck | null;
  openEpisode: EpisodeSummary | null;
  unacknowledgedAlerts: number;
  /** The version on trial as the shadow challenger, when one runs (issue 19). */
  challengerVersion: number | null;
}

/**
 * GET /api/fleet?page=1&pageSize=50&q=<tenant id or name, substring>&state=<ModelState>&model=<ModelType>
 * Rows ordered worst state first, then tenant, then model. `counts` are by state over the fleet that `q`
 * and `model` select, before the `state` filter and paging (the summary tiles).
 */
export interface FleetPage {
  rows: FleetRow[];
  total: number;
  page: number;
  pageSize: number;
  counts: Record<ModelState, number>;
}

/** GET /api/tenants: the tenants the signed-in user may see. */
export interface TenantSummary {
  id: string;
  name: string;
  unionLocal: string;
}

/** One daily check, as a point of the model page's charts. */
export interface CheckPoint {
  logicalDate: string;
  version: number | null;
  decision: DriftDecision;
  /** PSI per feature (feature name -> psi), and its band. */
  psi: Record<string, number>;
  maxPsi: number | null;
  /** Realized accuracy of the active version's predictions in the window, with its interval and n. */
  realized: Interval | null;
  /** Estimated accuracy (calibrated probabilities), when computed. */
  estimated: Interval | null;
  accuracySource: 'realized' | 'estimated' | null;
  /** Share of the window's predictions whose label is known (0..1). */
  labelCoverage: number | null;
  reasons: string[];
  episodeId: string | null;
}

export interface GateResult {
  gate: string;
  passed: boolean;
  detail: string;
}

export interface TrainingRunRow {
  id: string;
  status: string;
  trigger: string;
  startedAt: string | null;
  completedAt: string | null;
  candidateVersion: number | null;
  accuracy: number | null;
  samples: number | null;
  error: string | null;
  /** The validator's verdict on the candidate, every gate with its reason (null: not validated yet). */
  verdict: { passed: boolean; decision: string; reasons: string[]; gates: GateResult[] } | null;
}

/** One deployment (model_deployments), newest first: a validated candidate, a rollback, or the seed. */
export interface DeploymentRow {
  version: number;
  /** The version it replaced (null: the first). */
  fromVersion: number | null;
  /** This deployment is the one in production now. */
  active: boolean;
  /** The deployed version's hold-out accuracy. */
  accuracy: number | null;
  deployedAt: string | null;
  /** `initial`, `validated`, `rollback`, `promoted`... */
  reason: string | null;
  /** A promotion's evidence: the shadow trial that decided it (null for any other deployment). */
  evidence: ChallengerEvidence | null;
}

/** How a shadow challenger's trial ended (docs/models.md, "Shadow challengers"). */
export type ChallengerDecision =
  | 'promoted'
  | 'retired_worse'
  | 'retired_futile'
  | 'retired_expired'
  | 'retired_superseded'
  | 'retired_champion_changed';

/** What a shadow trial found: its paired outcomes with the champion and the sequential test's statistic. */
export interface TrialFigures {
  /** Claims both versions answered whose outcome is known. */
  labelledPairs: number;
  /** Of which exactly one was right: the pairs the test uses. */
  discordantPairs: number;
  /** Discordant pairs the challenger got right. */
  challengerWins: number;
  /** ln Λ, the log of the test's mixture likelihood ratio: it decides when ln Λ reaches the threshold. */
  logLikelihoodRatio: number;
  alwaysValidP: number;
}

/** A promotion's evidence: the trial that decided it. */
export interface ChallengerEvidence extends TrialFigures {
  startedOn: string;
  decidedOn: string;
  days: number;
}

/** One shadow challenger's trial (model_challengers): a validated candidate scored beside the champion. */
export interface ChallengerRow extends TrialFigures {
  id: string;
  version: number;
  /** The champion it was paired with. */
  championVersion: number;
  state: 'running' | 'promoted' | 'retired';
  /** How it ended (null while it runs). */
  decision: ChallengerDecision | null;
  /** Why it ended, in words with the figures (the notification's); null while it runs. */
  reason: string | null;
  startedOn: string;
  /** The day of its last evaluation (the figures' day); null before the first. */
  evaluatedOn: string | null;
  decidedOn: string | null;
  /** Days from startedOn to the decision (ended) or to today (running). */
  days: number;
}

/**
 * GET /api/tenants/:tenantId/models/:modelType?days=180: the model page. 404 for a tenant the user may
 * not see (an admin asking for another tenant gets 404, never its data) or a tenant that does not exist.
 */
export interface ModelDetail {
  tenantId: string;
  tenantName: string;
  modelType: ModelType;
  state: ModelState;
  activeVersion: number | null;
  /** The model's thresholds, to draw the bands. */
  thresholds: { accuracy: number; psi: number; psiModerate: number };
  /** The model's input features, in MODEL_CONFIGS order. */
  features: string[];
  /** Oldest first. */
  checks: CheckPoint[];
  episodes: EpisodeSummary[];
  trainingRuns: TrainingRunRow[];
  deployments: DeploymentRow[];
  /** The model's shadow trials, newest first (the running one, if any, is the first): at most 20. */
  challengers: ChallengerRow[];
  /**
   * The shadow trial's rules: ln(1/α) of the validator's default α, where ln Λ decides, and the days a
   * trial may run undecided (the model's shadowMaxDays).
   */
  shadow: { threshold: number; maxDays: number };
}

/** GET /api/tenants/:tenantId/models/:modelType/histograms?date=YYYY-MM-DD: baseline vs window of a day. */
export interface HistogramBin {
  label: string;
  /** Shares (0..1) of the baseline's and of the window's observations in this bin. */
  baseline: number;
  window: number;
}
export interface FeatureHistogram {
  feature: string;
  kind: 'numeric' | 'categorical';
  psi: number;
  bins: HistogramBin[];
}
export interface Histograms {
  date: string;
  version: number;
  features: FeatureHistogram[];
}

export type AlertSeverity = 'failure' | 'warning';

/**
 * An alert: one warning or failure message (a daily digest, a failed training, a rejected candidate) with
 * every delivery of it. Acknowledging it acknowledges every delivery (the notifier stops reminding).
 */
export interface AlertRow {
  /** The event the message tells of. */
  id: string;
  tenantId: string;
  /** The model it is about; null for a daily digest (see `models`). */
  modelType: ModelType | null;
  /** The models it concerns: its own, or every model a digest lists. */
  models: ModelType[];
  severity: AlertSeverity;
  eventType: string;
  subject: string;
  createdAt: string;
  deliveries: { channel: string; recipient: string; status: string }[];
  acknowledged: { by: string; at: string; note: string | null } | null;
}

/**
 * GET /api/alerts?tenant=&status=unacknowledged|all&page=1&pageSize=50: unacknowledged first, newest
 * first. GET /api/alerts/stream: server-sent events, `event: alert`, `data: AlertRow`, for alerts created
 * after the stream opened (the user's tenants only).
 */
export interface AlertPage {
  rows: AlertRow[];
  total: number;
  unacknowledged: number;
  page: number;
  pageSize: number;
}

/** POST /api/alerts/:id/ack: answers the AlertRow, acknowledged (acknowledging twice keeps the first). */
export interface AckBody {
  note?: string;
}

/**
 * POST /api/tenants/:tenantId/models/:modelType/rollback: asks the validator to reactivate `toVersion`
 * (default: the version before the active one). 202 with the request's correlation id; 409 when the
 * rollback rules refuse (nothing to roll back, already active); 404 for a version that does not exist.
 */
export interface RollbackBody {
  toVersion?: number;
  reason: string;
}

/** POST /api/tenants/:tenantId/models/:modelType/retrain: a forced retrain (a forced drift check). */
export interface RetrainBody {
  reason: string;
}

export interface ActionAccepted {
  accepted: true;
  correlationId: string;
  action: 'rollback' | 'retrain';
}

/**
 * GET /api/tenants/:tenantId/recipients (active ones); POST the same path with RecipientBody answers the
 * Recipient as stored (201); DELETE .../recipients/:id answers 204.
 */
export interface Recipient {
  id: string;
  name: string;
  channel: 'email' | 'slack' | 'in_app' | 'webhook';
  address: string;
  eventKinds: string[];
  active: boolean;
}
export interface RecipientBody {
  name: string;
  channel: Recipient['channel'];
  address: string;
  eventKinds: string[];
}

/** Every 4xx and 5xx body. */
export interface ApiError {
  statusCode: number;
  error: string;
  message: string | string[];
}
