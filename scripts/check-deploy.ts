import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as k8s from 'kubernetes-models';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { consumedBy, publishedBy } from '../libs/contracts/src/routes';
import type { BusApp } from '../libs/contracts/src/routes';
import type { Subject } from '../libs/contracts/src/subjects';
import { grantsByRole, TABLES } from '../libs/database/src/ownership';
import { OWNER_ROLE, SERVICE_ROLES } from '../libs/database/src/roles';
import { subjectCovers } from '../libs/messaging/src/streams';
import { Topology } from '../libs/messaging/src/topology';

// npm run build && node dist/scripts/check-deploy.js
//
// Checks the deployment files offline and exits 1 with the list of problems:
// - renders each kustomize overlay (`kubectl kustomize deploy/k8s/overlays/<name>`) and validates every
//   object against the Kubernetes schemas of `kubernetes-models`, plus unknown fields, which those
//   schemas let through (a typo such as `imagePullPolicyy` is otherwise silently dropped by the API
//   server, or refused only at apply time); the Prometheus Operator objects against a small schema here;
// - cross-checks the objects: each service's ports, Service, disruption budget (never blocking a drain,
//   counted from its autoscaler's minReplicas where it has one) and network policies (egress exactly
//   PostgreSQL, NATS, DNS and the service's own extras; ingress exactly its ops port, and its HTTP port
//   where something calls it, HTTP_CALLERS, never both ports in one rule), Secret and
//   ConfigMap references, `$(VAR)` references; the autoscaled services (AUTOSCALED: prod's scorer) with a
//   CPU HorizontalPodAutoscaler and no fixed replicas; the NATS servers reachable by the claims application;
// - the database logins: each service composes its DATABASE_URL with its own role (ue_<service>, from
//   libs/database/src/roles.ts), a role the table-to-owner map (libs/database/src/ownership.ts) grants
//   tables to, and its own password key, the cli toolbox and the migration Job with ue_owner's (dev's
//   Job: its PostgreSQL superuser, whose password every dev role then shares), and nothing reads the
//   database Secret whole or more than one of its keys; the map itself gives no table two writers;
// - deploy/nats/values.yaml: JetStream settings, and each service's NATS user allowed exactly the
//   subjects libs/contracts declares it publishes and the durable consumers it holds (ROUTES, named by
//   libs/messaging's Topology, with their max-deliveries advisories); the CLI user allowed the requests
//   it publishes and no event, and denied the services' durable consumers; the claims application's user
//   (ue-claims-app) exactly its ROUTES events, the streams' info and a subscription to claim.scored; the
//   streams created and updated by ue-provisioner only (exactly INFO, and STREAM.CREATE / UPDATE / INFO
//   of both streams), by no other user but the nats-box admin. The users themselves run the services in
//   test/integration/nats-permissions.int-spec.ts;
// - the nats-provision Job: `cli nats:provision` as ue-provisioner with only its own password key, egress
//   exactly DNS and NATS, admitted by the NATS servers' policy;
// - the console: a way to sign in that the app accepts (OIDC with its secrets from a Secret, or the
//   development sign-in, never with NODE_ENV=production nor in a production overlay), its sign-in settings
//   and secrets read by the console only, its NOTIFIER_URL the notifier's Service with the policies letting
//   it through, and in production an Ingress with TLS whose host is OIDC_REDIRECT_URL's;
// - the ops port (OPS_PORT): every service's container port `ops` and OPS_PORT agree, its scrape annotation
//   names it, its probes ask it (below) and the PodMonitor scrapes it: /health and /metrics answer there
//   only;
// - the service tokens: the notifier and the scheduler each read SERVICE_TOKEN from a Secret key of its
//   own, required, of at least 24 characters where the output says it and NODE_ENV=production (they
//   refuse to start otherwise), out of band in production; the console and the cli toolbox send the
//   notifier's key as NOTIFIER_TOKEN, and nothing else reads either key;
// - the monitoring objects, where an overlay has them: the PodMonitor scrapes every service on its ops
//   port, and the service-down and service-absent alerts name every one;
// - as it ships: the recommended app.kubernetes.io/* labels on every object and pod template (version =
//   package.json's), each service spread over nodes and zones, probes (startup and liveness on
//   /health/live, readiness on /health/ready, all on the ops port), PGSSLMODE=verify-full where the database is outside the
//   cluster, prod's image pinned by digest (the checked-in placeholder is reported), no Namespace in an
//   overlay (deploy/k8s/namespace.yaml instead, out of the prune selector);
// - the alerts and the Grafana dashboard (components/monitoring): every alert's runbook_url is one document's
//   anchor that exists in docs/operations.md, and every metric they use is registered in libs/ or apps/
//   (histogram series included), a prom-client default, or one of EXTERNAL_METRICS;
// - docker-compose.yml: `docker-compose config -q` when docker-compose is installed, every app named,
//   ports on 127.0.0.1 only, NATS healthy before its clients, readiness healthchecks on OPS_PORT, the
//   cli's and the console's NOTIFIER_URL and NOTIFIER_TOKEN (the notifier's SERVICE_TOKEN), the
//   scheduler's own token, the console's development sign-in not with NODE_ENV=production; the one-off
//   nats-provision service, which the services and the cli wait for;
// - the image: deploy/docker/entrypoint.sh starts every service, `npm run build` builds the console's web
//   UI and the Dockerfile's runtime stage copies the build's dist/;
// - .github/workflows/*.yml parse; the Node of the image, of `engines` and of CI's matrix agree.

/**
 * The eight services, with the HTTP port each listens on (README, "Configuration"). The console is one of
 * them (its own Deployment, Service, budget, policies, database role and NATS user) whose port people's
 * browsers reach too (CONSOLE_CHECKS below).
 */
export const SERVICES = [
  { name: 'scheduler', port: 3101 },
  { name: 'drift-monitor', port: 3102 },
  { name: 'trainer', port: 3103 },
  { name: 'validator', port: 3104 },
  { name: 'notifier', port: 3105 },
  { name: 'seeder', port: 3106 },
  { name: 'scorer', port: 3107 },
  { name: 'console', port: 3000 },
] as const;

/**
 * The ops port, one number for every service (deploy/k8s/base/patches/app-defaults.yaml, docker-compose.yml):
 * with OPS_PORT set, /health/* and /metrics answer there only and everything else on HTTP_PORT only
 * (libs/messaging/src/bootstrap.ts). The probes and Prometheus ask it, by the container port's name.
 */
export const OPS_PORT = 9464;
const OPS_PORT_NAME = 'ops';

/**
 * Who calls a service's HTTP port (everything but /health and /metrics); a service not listed has no caller,
 * and its network policies admit its ops port only.
 */
export const HTTP_CALLERS: Record<string, string> = {
  scheduler: 'cli pods: the manual run',
  notifier: 'the console and cli pods: acknowledgements, recipients',
  console: "the ingress controller: people's browsers",
};

/**
 * Services whose HTTP actions want their SERVICE_TOKEN (libs/messaging/src/service-token.ts), and which
 * refuse to start with NODE_ENV=production without one of TOKEN_MIN_LENGTH characters
 * (libs/common/src/config.ts, requireServiceToken). Each has its own.
 */
export const TOKEN_SERVICES = ['notifier', 'scheduler'] as const;
const TOKEN_MIN_LENGTH = 24;
/** Who sends the notifier's token, as NOTIFIER_TOKEN: the console, and the cli toolbox where there is one. */
const NOTIFIER_TOKEN_SENDERS = [
  { name: 'console', container: 'app' },
  { name: 'cli', container: 'cli' },
];

/**
 * Services whose replicas an overlay leaves to a HorizontalPodAutoscaler: the scorer's load follows the
 * claims application's volume (the others' comes in the scheduler's daily burst). Such a Deployment has no
 * `replicas:` (an apply would reset the autoscaler's choice), and its budget follows the autoscaler's
 * minReplicas.
 */
export const AUTOSCALED: Record<string, readonly string[]> = { prod: ['scorer'] };

/**
 * The claims application's NATS user (not a workload of this platform: BUS_APPS' `claims-app`). It
 * publishes what ROUTES says it does, reads the streams' info like every client, and receives these
 * subjects with a plain subscription (no durable consumer: ConsumingApp excludes it).
 */
const CLAIMS_APP = 'claims-app';
const CLAIMS_APP_RECEIVES: readonly Subject[] = ['claim.scored'];

/**
 * Egress each service needs beyond PostgreSQL (5432), NATS (4222) and DNS (53). The console's: the
 * notifier's HTTP API (its NOTIFIER_URL) and HTTPS to the OpenID Connect issuer.
 */
const EXTRA_EGRESS: Record<string, number[]> = {
  notifier: [587, 465, 443],
  trainer: [443],
  console: [3105, 443],
};
/** Secrets that prod creates out of band (its overlay deletes their placeholders, or never had any). */
const OUT_OF_BAND_SECRETS = [
  'union-eyes-ml-db',
  'union-eyes-ml-nats-auth',
  'union-eyes-ml-notifier',
  'union-eyes-ml-console',
  'union-eyes-ml-service-tokens',
];
/** The console: its Deployment, the Secret and the ConfigMap of its sign-in (overlays/prod/console-sign-in.yaml). */
const CONSOLE = 'console';
const CONSOLE_SECRET = 'union-eyes-ml-console';
const CONSOLE_CONFIG = 'union-eyes-ml-console-config';
/**
 * What the console's sign-in reads: the OpenID Connect client (issuer, id, secret, redirect URL) and the
 * key that signs a sign-in's state cookie. Nothing but the console may (the client secret lets whoever
 * holds it sign people in as the console).
 */
const OIDC_SETTINGS = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URL'];
const CONSOLE_SECRETS = ['OIDC_CLIENT_SECRET', 'CONSOLE_SESSION_SECRET'];
/** NODE_ENV of the image (Dockerfile: ENV NODE_ENV=production), where neither the manifest nor the ConfigMap sets it. */
const IMAGE_NODE_ENV = 'production';
const NATS_AUTH_SECRET = 'union-eyes-ml-nats-auth';
/** One PostgreSQL password per role (deploy/k8s/base/secret.yaml); each workload reads only its own. */
const DB_SECRET = 'union-eyes-ml-db';
/** Dev only: the in-cluster server's superuser password, with which the dev migration Job creates the roles. */
const DB_SUPERUSER_KEY = 'UE_DB_SUPERUSER_PASSWORD';
/** Names as deployed: SUBJECT_PREFIX is empty in production (deploy/nats/values.yaml says so). */
const TOPOLOGY = new Topology('');
const STREAMS = [TOPOLOGY.eventsStream, TOPOLOGY.deadLetterStream];
/** The NATS user of the nats-provision Job, the only one (besides the nats-box admin) that may create or update streams. */
const PROVISIONER = 'ue-provisioner';
const NATS_ADMIN = 'ue-admin';
/** The Job that provisions the streams (deploy/k8s/base/nats-provision-job.yaml). */
const PROVISION_JOB = 'nats-provision';

export interface CheckOptions {
  /** Repository root (default: found upwards from this file). */
  root?: string;
  /** Overlays to render (default: every folder of deploy/k8s/overlays). */
  overlays?: string[];
  /** Run `docker-compose config -q` when the binary exists (default true). */
  composeBinary?: boolean;
}

export interface CheckReport {
  problems: string[];
  /** What was checked, for the summary. */
  notes: string[];
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface K8sObject extends JsonObject {
  apiVersion: string;
  kind: string;
}

// ---------------------------------------------------------------------------------------------------
// Schema validation (kubernetes-models) and unknown fields
// ---------------------------------------------------------------------------------------------------

interface ModelClass {
  apiVersion: string;
  kind: string;
  prototype: { validate(this: unknown): void };
}

interface SchemaError {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

let registry: Map<string, ModelClass> | undefined;

/** Every model class of kubernetes-models, by `apiVersion|kind`. */
function models(): Map<string, ModelClass> {
  if (registry) return registry;
  const found = new Map<string, ModelClass>();
  // `k8s.apps.v1.Deployment`, and for the core group `k8s.v1.Service`.
  const visit = (node: unknown, depth: number): void => {
    if (typeof node === 'function') {
      const c = node as unknown as Partial<ModelClass>;
      if (typeof c.apiVersion === 'string' && typeof c.kind === 'string')
        found.set(`${c.apiVersion}|${c.kind}`, c as ModelClass);
    } else if (node && typeof node === 'object' && depth < 3) {
      for (const child of Object.values(node)) visit(child, depth + 1);
    }
  };
  visit(k8s, 0);
  registry = found;
  return registry;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Runs a kubernetes-models validator on a proxy of `obj` that records which properties the validator
 * reads at each object. The generated validators read every property their schema declares (absent or
 * not), and enumerate the keys of free-form maps (labels, data, resources); so a key that was never read
 * at an object the validator looked into is a field the schema does not know.
 */
function validateWithModel(model: ModelClass, obj: K8sObject): { errors: SchemaError[]; unknown: string[] } {
  const read = new WeakMap<object, Set<string>>();
  const enumerated = new WeakSet<object>();
  const proxies = new WeakMap<object, object>();
  const wrap = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const cached = proxies.get(value);
    if (cached) return cached;
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === 'string') {
          let keys = read.get(target);
          if (!keys) read.set(target, (keys = new Set()));
          keys.add(key);
        }
        return wrap(Reflect.get(target, key, receiver));
      },
      ownKeys(target) {
        enumerated.add(target);
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  let errors: SchemaError[] = [];
  try {
    model.prototype.validate.call(wrap(obj));
  } catch (err) {
    const list = (err as { errors?: SchemaError[] }).errors;
    errors = Array.isArray(list) ? list : [{ instancePath: '', message: (err as Error).message }];
  }
  const unknown: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}/${i}`));
      return;
    }
    if (!isObject(node)) return;
    // A map whose keys the validator enumerated (labels, data, resources): every key is allowed.
    if (enumerated.has(node)) {
      for (const [k, v] of Object.entries(node)) walk(v, `${path}/${k}`);
      return;
    }
    // Never read: a free-form value, or one the validator did not reach: nothing to say.
    const keys = read.get(node);
    if (!keys) return;
    for (const [k, v] of Object.entries(node)) {
      if (!keys.has(k)) unknown.push(`${path}/${k}`);
      else walk(v, `${path}/${k}`);
    }
  };
  walk(obj, '');
  return { errors, unknown };
}

/** A tiny schema language for the Prometheus Operator objects (no CRD schemas in kubernetes-models). */
type Shape =
  | 'string'
  | 'number'
  | 'boolean'
  | 'duration'
  | 'any'
  | { object: Record<string, Shape>; required?: string[] }
  | { map: Shape }
  | { array: Shape };

const labelSelector: Shape = {
  object: {
    matchLabels: { map: 'string' },
    matchExpressions: {
      array: {
        object: { key: 'string', operator: 'string', values: { array: 'string' } },
        required: ['key', 'operator'],
      },
    },
  },
};
const objectMeta: Shape = {
  object: { name: 'string', namespace: 'string', labels: { map: 'string' }, annotations: { map: 'string' } },
  required: ['name'],
};
const relabelings: Shape = { array: { map: 'any' } };
const CRD_SHAPES: Record<string, Shape> = {
  'monitoring.coreos.com/v1|PrometheusRule': {
    object: {
      apiVersion: 'string',
      kind: 'string',
      metadata: objectMeta,
      spec: {
        object: {
          groups: {
            array: {
              object: {
                name: 'string',
                interval: 'duration',
                limit: 'number',
                query_offset: 'duration',
                partial_response_strategy: 'string',
                labels: { map: 'string' },
                rules: {
                  array: {
                    object: {
                      alert: 'string',
                      record: 'string',
                      expr: 'string',
                      for: 'duration',
                      keep_firing_for: 'duration',
                      labels: { map: 'string' },
                      annotations: { map: 'string' },
                    },
                    required: ['expr'],
                  },
                },
              },
              required: ['name', 'rules'],
            },
          },
        },
        required: ['groups'],
      },
    },
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
  },
  'monitoring.coreos.com/v1|PodMonitor': {
    object: {
      apiVersion: 'string',
      kind: 'string',
      metadata: objectMeta,
      spec: {
        object: {
          jobLabel: 'string',
          podTargetLabels: { array: 'string' },
          sampleLimit: 'number',
          selector: labelSelector,
          namespaceSelector: { object: { any: 'boolean', matchNames: { array: 'string' } } },
          podMetricsEndpoints: {
            array: {
              object: {
                port: 'string',
                portNumber: 'number',
                path: 'string',
                scheme: 'string',
                interval: 'duration',
                scrapeTimeout: 'duration',
                honorLabels: 'boolean',
                honorTimestamps: 'boolean',
                params: { map: { array: 'string' } },
                relabelings,
                metricRelabelings: relabelings,
              },
            },
          },
        },
        required: ['selector', 'podMetricsEndpoints'],
      },
    },
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
  },
};

function checkShape(shape: Shape, value: unknown, path: string, out: string[]): void {
  if (shape === 'any') return;
  if (shape === 'string' || shape === 'number' || shape === 'boolean') {
    if (typeof value !== shape) out.push(`${path || '/'} must be ${shape}`);
    return;
  }
  if (shape === 'duration') {
    if (typeof value !== 'string' || !/^(\d+(ms|s|m|h|d|w|y))+$/.test(value))
      out.push(`${path} must be a Prometheus duration such as 5m`);
    return;
  }
  if ('array' in shape) {
    if (!Array.isArray(value)) out.push(`${path} must be an array`);
    else value.forEach((v, i) => checkShape(shape.array, v, `${path}/${i}`, out));
    return;
  }
  if (!isObject(value)) {
    out.push(`${path || '/'} must be an object`);
    return;
  }
  if ('map' in shape) {
    for (const [k, v] of Object.entries(value)) checkShape(shape.map, v, `${path}/${k}`, out);
    return;
  }
  for (const r of shape.required ?? []) if (value[r] === undefined) out.push(`${path}/${r} is required`);
  for (const [k, v] of Object.entries(value)) {
    const sub = shape.object[k];
    if (sub === undefined) out.push(`${path}/${k}: unknown field`);
    else checkShape(sub, v, `${path}/${k}`, out);
  }
}

/** Unbalanced brackets or quotes in a PromQL expression (a cheap guard; no PromQL parser here). */
function promqlProblems(expr: string): string[] {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  let quote: string | null = null;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') stack.push(c);
    else if (c in pairs) {
      if (stack.pop() !== pairs[c]) return [`unbalanced '${c}' at ${i}`];
    }
  }
  if (quote) return ['unterminated string'];
  if (stack.length) return [`unclosed '${stack.join('')}'`];
  return [];
}

/**
 * Problems of one object: schema errors and unknown fields, each as `<kind>/<name> <path>: <message>`.
 * Kinds kubernetes-models does not know are problems too (except the Prometheus Operator's, checked here).
 */
export function validateObject(obj: K8sObject): string[] {
  const name = `${obj.kind}/${isObject(obj.metadata) ? String(obj.metadata.name) : '?'}`;
  const key = `${obj.apiVersion}|${obj.kind}`;
  const model = models().get(key);
  const problems: string[] = [];
  if (model) {
    const { errors, unknown } = validateWithModel(model, obj);
    for (const e of errors)
      problems.push(`${name} ${e.instancePath || '/'}: ${e.message ?? e.keyword ?? 'invalid'}`);
    for (const u of unknown) problems.push(`${name} ${u}: unknown field`);
    return problems;
  }
  const shape = CRD_SHAPES[key];
  if (!shape) return [`${name}: no schema for ${obj.apiVersion} ${obj.kind}`];
  const out: string[] = [];
  checkShape(shape, obj, '', out);
  if (obj.kind === 'PrometheusRule' && out.length === 0) {
    const groups = (obj.spec as { groups: { name: string; rules: JsonObject[] }[] }).groups;
    const seen = new Set<string>();
    groups.forEach((g, gi) => {
      if (seen.has(g.name)) out.push(`/spec/groups/${gi}/name: duplicate group ${g.name}`);
      seen.add(g.name);
      g.rules.forEach((r, ri) => {
        const at = `/spec/groups/${gi}/rules/${ri}`;
        if ((r.alert === undefined) === (r.record === undefined))
          out.push(`${at}: exactly one of alert and record`);
        for (const p of promqlProblems(String(r.expr))) out.push(`${at}/expr: ${p}`);
      });
    });
  }
  return out.map((p) => `${name} ${p}`);
}

// ---------------------------------------------------------------------------------------------------
// Rendering and cross-object checks
// ---------------------------------------------------------------------------------------------------

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'nest-cli.json')) && existsSync(join(dir, 'deploy'))) return dir;
    const up = resolve(dir, '..');
    if (up === dir) throw new Error(`no repository root above ${start}`);
    dir = up;
  }
}

function onPath(binary: string): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).error === undefined;
}

/** Parses a multi-document YAML text into objects; syntax errors become problems. */
export function parseDocuments(text: string, source: string, problems: string[]): K8sObject[] {
  const objects: K8sObject[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    for (const e of doc.errors) problems.push(`${source} document ${i + 1}: ${e.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (!isObject(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
      problems.push(`${source} document ${i + 1}: not a Kubernetes object`);
      return;
    }
    objects.push(value as K8sObject);
  });
  return objects;
}

interface Container {
  name: string;
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: SecretKeyRef; configMapKeyRef?: SecretKeyRef };
  }[];
  envFrom?: {
    configMapRef?: { name: string; optional?: boolean };
    secretRef?: { name: string; optional?: boolean };
  }[];
  ports?: { name?: string; containerPort: number }[];
}
interface SecretKeyRef {
  name: string;
  key: string;
  optional?: boolean;
}
interface Workload {
  metadata: { name: string };
  spec: {
    replicas?: number;
    template: { metadata?: { labels?: Record<string, string> }; spec: { containers: Container[] } };
  };
}
interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface PolicyPeer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string };
}
interface PolicyRule {
  ports?: { port?: number | string; protocol?: string }[];
  to?: PolicyPeer[];
  from?: PolicyPeer[];
}
interface NetworkPolicy {
  metadata: { name: string };
  spec: { podSelector: Selector; policyTypes?: string[]; ingress?: PolicyRule[]; egress?: PolicyRule[] };
}
interface Autoscaler {
  metadata: { name: string };
  spec: {
    scaleTargetRef: { apiVersion?: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: {
      type: string;
      resource?: { name: string; target?: { type: string; averageUtilization?: number } };
    }[];
  };
}

export function selects(selector: Selector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const inValues = has && (e.values ?? []).includes(labels[e.key]!);
    const ok =
      e.operator === 'In'
        ? inValues
        : e.operator === 'NotIn'
          ? !inValues
          : e.operator === 'Exists'
            ? has
            : e.operator === 'DoesNotExist'
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}

/** Ports (as `TCP/5432`, or `*` for "all ports") a set of rules allows. */
function rulePorts(rules: PolicyRule[]): Set<string> {
  const out = new Set<string>();
  for (const r of rules) {
    if (!r.ports || r.ports.length === 0) out.add('*');
    for (const p of r.ports ?? []) out.add(`${p.protocol ?? 'TCP'}/${p.port ?? '*'}`);
  }
  return out;
}

const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));
const show = (s: Set<string>) => [...s].sort().join(', ') || 'nothing';

function checkOverlay(overlay: string, objects: K8sObject[], problems: string[], root: string): void {
  const p = (msg: string) => problems.push(`overlay ${overlay}: ${msg}`);
  const of = <T>(kind: string) => objects.filter((o) => o.kind === kind) as unknown as T[];
  const deployments = of<Workload>('Deployment');
  const services = of<{
    metadata: { name: string };
    spec: { ports?: { port: number; targetPort?: number | string }[] };
  }>('Service');
  const pdbs = of<{
    metadata: { name: string };
    spec: { selector?: Selector; minAvailable?: number | string; maxUnavailable?: number | string };
  }>('PodDisruptionBudget');
  const policies = of<NetworkPolicy>('NetworkPolicy');
  const autoscalers = of<Autoscaler>('HorizontalPodAutoscaler');
  const secrets = new Map(
    of<{ metadata: { name: string }; data?: Record<string, string>; stringData?: Record<string, string> }>(
      'Secret',
    ).map((s) => [
      s.metadata.name,
      new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})]),
    ]),
  );
  const configMaps = new Map(
    of<{ metadata: { name: string }; data?: Record<string, string> }>('ConfigMap').map((c) => [
      c.metadata.name,
      new Set(Object.keys(c.data ?? {})),
    ]),
  );
  const outOfBand = new Set<string>();

  // Namespaced objects all in one namespace.
  const namespaces = new Set(
    objects
      .filter((o) => o.kind !== 'Namespace' && isObject(o.metadata))
      .map((o) => String((o.metadata as JsonObject).namespace ?? '<none>')),
  );
  if (namespaces.size !== 1) p(`objects span several namespaces: ${show(namespaces)}`);

  // Default deny, both directions.
  const denyAll = policies.some(
    (np) =>
      Object.keys(np.spec.podSelector ?? {}).length === 0 &&
      (np.spec.policyTypes ?? []).includes('Ingress') &&
      (np.spec.policyTypes ?? []).includes('Egress') &&
      !np.spec.ingress?.length &&
      !np.spec.egress?.length,
  );
  if (!denyAll) p('no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)');

  for (const { name, port } of SERVICES) {
    const d = deployments.find((x) => x.metadata.name === name);
    if (!d) {
      p(`Deployment ${name} is missing`);
      continue;
    }
    const hpa = autoscalers.find(
      (a) => a.spec.scaleTargetRef.kind === 'Deployment' && a.spec.scaleTargetRef.name === name,
    );
    // Under an autoscaler, the fewest replicas it keeps is what a drain must leave running.
    const replicas = hpa ? (hpa.spec.minReplicas ?? 1) : (d.spec.replicas ?? 1);
    const labels = d.spec.template.metadata?.labels ?? {};
    const c = d.spec.template.spec.containers.find((x) => x.name === 'app');
    if (!c) p(`Deployment ${name}: no container named app`);
    else {
      const http = c.ports?.find((x) => x.name === 'http');
      if (http?.containerPort !== port) p(`Deployment ${name}: container port http must be ${port}`);
      const env = c.env?.find((e) => e.name === 'HTTP_PORT');
      if (env?.value !== String(port)) p(`Deployment ${name}: HTTP_PORT must be "${port}"`);
      const user = c.env?.find((e) => e.name === 'NATS_USER')?.value;
      if (user !== `ue-${name}`) p(`Deployment ${name}: NATS_USER must be ue-${name}`);
    }
    const svc = services.find((s) => s.metadata.name === name);
    if (!svc?.spec.ports?.some((x) => x.port === port && x.targetPort === 'http'))
      p(`Service ${name} must expose port ${port} (targetPort http)`);

    // Disruption budget: present, never blocking a drain, minAvailable for replicated services.
    const budgets = pdbs.filter((b) => selects(b.spec.selector, labels));
    if (budgets.length !== 1) p(`${name}: ${budgets.length} PodDisruptionBudgets select it (want 1)`);
    for (const b of budgets) {
      const { minAvailable, maxUnavailable } = b.spec;
      if (typeof minAvailable === 'string' || typeof maxUnavailable === 'string')
        p(`PodDisruptionBudget ${b.metadata.name}: use integers, not percentages`);
      else if (minAvailable !== undefined && minAvailable >= replicas)
        p(
          `PodDisruptionBudget ${b.metadata.name}: minAvailable ${minAvailable} with ${replicas} replica(s) blocks every drain`,
        );
      else if (maxUnavailable !== undefined && maxUnavailable < 1)
        p(`PodDisruptionBudget ${b.metadata.name}: maxUnavailable ${maxUnavailable} blocks every drain`);
      else if (replicas > 1 && minAvailable === undefined)
        p(`PodDisruptionBudget ${b.metadata.name}: ${name} runs ${replicas} replicas, use minAvailable: 1`);
    }

    // Network policies: exactly the expected egress and ingress ports.
    const applying = policies.filter((np) => selects(np.spec.podSelector, labels));
    const egress = rulePorts(
      applying.filter((np) => np.spec.policyTypes?.includes('Egress')).flatMap((np) => np.spec.egress ?? []),
    );
    const ingress = rulePorts(
      applying
        .filter((np) => np.spec.policyTypes?.includes('Ingress'))
        .flatMap((np) => np.spec.ingress ?? []),
    );
    const wantEgress = new Set([
      'TCP/5432',
      'TCP/4222',
      'UDP/53',
      'TCP/53',
      ...(EXTRA_EGRESS[name] ?? []).map((n) => `TCP/${n}`),
    ]);
    if (!sameSet(egress, wantEgress)) p(`${name}: egress allows ${show(egress)}; want ${show(wantEgress)}`);
    // Prometheus on the ops port; the HTTP port only where something calls it (HTTP_CALLERS).
    const wantIngress = new Set([`TCP/${OPS_PORT}`, ...(HTTP_CALLERS[name] ? [`TCP/${port}`] : [])]);
    if (!sameSet(ingress, wantIngress))
      p(
        `${name}: ingress allows ${show(ingress)}; want ${show(wantIngress)} (the ops port for Prometheus${HTTP_CALLERS[name] ? `, ${port} for ${HTTP_CALLERS[name]}` : `; nothing calls ${port}`})`,
      );
  }

  // References from every workload (Deployments, StatefulSets, Jobs) to Secrets and ConfigMaps, and $(VAR).
  const workloads = objects.filter((o) =>
    ['Deployment', 'StatefulSet', 'Job'].includes(o.kind),
  ) as unknown as Workload[];
  for (const w of workloads) {
    for (const c of w.spec.template.spec.containers) {
      const at = `${w.metadata.name}/${c.name}`;
      const known = new Set<string>();
      for (const ef of c.envFrom ?? []) {
        if (ef.configMapRef) {
          const keys = configMaps.get(ef.configMapRef.name);
          if (!keys) p(`${at}: ConfigMap ${ef.configMapRef.name} is not in the output`);
          for (const k of keys ?? []) known.add(k);
        }
        if (ef.secretRef) {
          const keys = secrets.get(ef.secretRef.name);
          if (keys) for (const k of keys) known.add(k);
          else if (ef.secretRef.optional) continue;
          else if (OUT_OF_BAND_SECRETS.includes(ef.secretRef.name)) outOfBand.add(ef.secretRef.name);
          else p(`${at}: Secret ${ef.secretRef.name} is not in the output`);
        }
      }
      for (const e of c.env ?? []) {
        for (const m of (e.value ?? '').matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
          // Out-of-band Secrets' keys are unknown here; the ConfigMap and earlier env entries are known.
          if (!known.has(m[1]!)) p(`${at}: env ${e.name} refers to $(${m[1]}), not defined before it`);
        }
        const cmRef = e.valueFrom?.configMapKeyRef;
        if (cmRef && !cmRef.optional) {
          const keys = configMaps.get(cmRef.name);
          if (!keys) p(`${at}: ConfigMap ${cmRef.name} is not in the output`);
          else if (!keys.has(cmRef.key)) p(`${at}: ConfigMap ${cmRef.name} has no key ${cmRef.key}`);
        }
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) {
          const keys = secrets.get(ref.name);
          if (keys && !keys.has(ref.key) && !ref.optional)
            p(`${at}: Secret ${ref.name} has no key ${ref.key}`);
          if (!keys && !ref.optional) {
            if (OUT_OF_BAND_SECRETS.includes(ref.name)) outOfBand.add(ref.name);
            else p(`${at}: Secret ${ref.name} is not in the output`);
          }
        }
        known.add(e.name);
      }
    }
  }
  if (outOfBand.size)
    problems.push(`note: overlay ${overlay} expects Secrets created out of band: ${show(outOfBand)}`);
  autoscalerProblems(overlay, objects).forEach(p);
  claimsAppIngressProblems(objects).forEach(p);
  checkDatabaseLogins(overlay, objects, problems);
  checkAsShipped(overlay, objects, problems, root);
  checkProvisionJob(overlay, objects, problems);
  consoleProblems(overlay, objects).forEach(p);
  monitoringCoverageProblems(objects).forEach(p);
  const ops = opsPortProblems(objects);
  ops.forEach(p);
  if (ops.length === 0)
    problems.push(
      `note: overlay ${overlay}: ops port ${OPS_PORT} on ${SERVICES.length} services: container port, OPS_PORT and scrape annotation agree, no policy rule opens it with the HTTP port`,
    );
  const tokens = serviceTokenProblems(overlay, objects);
  tokens.forEach(p);
  if (tokens.length === 0)
    problems.push(
      `note: overlay ${overlay}: service tokens: ${TOKEN_SERVICES.join(' and ')} each their own, the notifier's sent by ${NOTIFIER_TOKEN_SENDERS.filter(
        (x) =>
          objects.some((o) => o.kind === 'Deployment' && isObject(o.metadata) && o.metadata.name === x.name),
      )
        .map((x) => x.name)
        .join(' and ')}`,
    );
}

/**
 * HorizontalPodAutoscalers: exactly the overlay's AUTOSCALED services have one, each targeting an existing
 * Deployment that leaves its replicas to it (no `replicas:`), scaling on CPU utilization of a container
 * that requests CPU (utilization is measured against the request), between a minReplicas of at least 2
 * (the budget's minAvailable: 1 then never blocks a drain) and a larger maxReplicas.
 */
export function autoscalerProblems(overlay: string, objects: K8sObject[]): string[] {
  const out: string[] = [];
  const autoscalers = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler') as unknown as Autoscaler[];
  const want = AUTOSCALED[overlay] ?? [];
  for (const name of want)
    if (!autoscalers.some((a) => a.spec.scaleTargetRef.name === name))
      out.push(`Deployment ${name}: no HorizontalPodAutoscaler (its replicas follow the claim volume)`);
  for (const a of autoscalers) {
    const at = `HorizontalPodAutoscaler ${a.metadata.name}`;
    const { kind, name } = a.spec.scaleTargetRef;
    if (kind !== 'Deployment' || !want.includes(name)) {
      out.push(
        `${at}: scales ${kind} ${name}, not one of this overlay's autoscaled services (${want.join(', ') || 'none'})`,
      );
      continue;
    }
    const d = objects.find(
      (o) => o.kind === 'Deployment' && isObject(o.metadata) && o.metadata.name === name,
    );
    const t = d && templateOf(d);
    if (!d || !t) {
      out.push(`${at}: no Deployment ${name}`);
      continue;
    }
    const fixed = isObject(d.spec) ? d.spec.replicas : undefined;
    if (fixed !== undefined)
      out.push(
        `Deployment ${name}: replicas: ${String(fixed)} would reset the autoscaler at every apply; leave them to ${at}`,
      );
    const min = a.spec.minReplicas ?? 1;
    if (min < 2)
      out.push(`${at}: minReplicas ${min}; at least 2, so that a drain leaves one replica scoring`);
    if (a.spec.maxReplicas <= min)
      out.push(`${at}: maxReplicas ${a.spec.maxReplicas} must exceed minReplicas ${min}`);
    const cpu = (a.spec.metrics ?? []).find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
    if (cpu?.resource?.target?.type !== 'Utilization' || !cpu.resource.target.averageUtilization)
      out.push(`${at}: scale on CPU utilization (metrics: Resource cpu, target Utilization)`);
    const requests = t.spec.containers.map((c) =>
      isObject(c.resources) && isObject(c.resources.requests) ? c.resources.requests.cpu : undefined,
    );
    if (requests.some((r) => r === undefined))
      out.push(`Deployment ${name}: every container needs a CPU request for ${at} to measure utilization`);
  }
  return out;
}

/**
 * The claims application reaches NATS from outside this platform's pods: some policy of the NATS servers
 * admits another namespace on 4222 (deploy/k8s/base/network-policies.yaml, `nats-claims-app`).
 */
export function claimsAppIngressProblems(objects: K8sObject[]): string[] {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as NetworkPolicy[];
  const admitted = policies
    .filter(
      (np) => selects(np.spec.podSelector, NATS_SERVER_LABELS) && np.spec.policyTypes?.includes('Ingress'),
    )
    .flatMap((np) => np.spec.ingress ?? [])
    .some(
      (r) =>
        (rulePorts([r]).has('TCP/4222') || rulePorts([r]).has('*')) &&
        (r.from ?? []).some((peer) => peer.namespaceSelector !== undefined || peer.ipBlock !== undefined),
    );
  return admitted
    ? []
    : [
        `no NetworkPolicy lets the claims application (NATS user ue-${CLAIMS_APP}) reach the NATS servers on 4222`,
      ];
}

/** The rules of "As it ships" and the rendered alerts' runbooks, for one overlay. */
function checkAsShipped(overlay: string, objects: K8sObject[], problems: string[], root: string): void {
  const p = (msg: string) => problems.push(`overlay ${overlay}: ${msg}`);
  labelProblems(objects, appVersion(root)).forEach(p);
  namespaceObjectProblems(objects).forEach(p);
  for (const { name } of SERVICES) {
    const d = objects.find(
      (o) => o.kind === 'Deployment' && isObject(o.metadata) && o.metadata.name === name,
    );
    if (!d) continue;
    spreadProblems(d, name).forEach(p);
    probeProblems(d, name).forEach(p);
  }
  tlsProblems(objects).forEach(p);
  if (PINNED_OVERLAYS.includes(overlay)) {
    const pin = imagePinProblems(objects);
    pin.problems.forEach(p);
    if (pin.placeholders.length)
      problems.push(
        `note: overlay ${overlay}: image ${pin.placeholders.join(', ')} is the documented placeholder; set the operator values before deploying (deploy/README.md)`,
      );
  }
  const rules = objects.filter((o) => o.kind === 'PrometheusRule').flatMap(rulesOf);
  const anchors = markdownAnchors(readFileSync(join(root, RUNBOOK_DOC), 'utf8'));
  runbookProblems(rules, anchors).forEach(p);
  const placeholders = new Set(
    objects
      .filter((o) => o.kind === 'ConfigMap')
      .flatMap((o) => Object.entries((o as { data?: Record<string, string> }).data ?? {}))
      .filter(([, v]) => PLACEHOLDER.test(v))
      .map(([k]) => k),
  );
  for (const r of rules)
    if (PLACEHOLDER.test(r.annotations?.runbook_url ?? '')) placeholders.add('RUNBOOK_DOCUMENT_URL');
  for (const ing of objects.filter((o) => o.kind === 'Ingress'))
    for (const rule of (ing.spec as { rules?: { host?: string }[] } | undefined)?.rules ?? [])
      if (PLACEHOLDER.test(rule.host ?? '')) placeholders.add(`${nameOf(ing)} host`);
  if (placeholders.size && PINNED_OVERLAYS.includes(overlay))
    problems.push(`note: overlay ${overlay}: placeholders still to set: ${show(placeholders)}`);
}

/** package.json's version: the app.kubernetes.io/version of what runs the platform's image. */
function appVersion(root: string): string {
  const pkg: unknown = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return isObject(pkg) ? String(pkg.version) : '?';
}

/** The NATS servers' pods (Helm release `nats`), as the network policies select them. */
const NATS_SERVER_LABELS = { 'app.kubernetes.io/name': 'nats', 'app.kubernetes.io/component': 'nats' };

/**
 * The nats-provision Job: `cli nats:provision` (never with --allow-fewer-replicas in the manifests), as
 * ue-provisioner with only its own password key and the ConfigMap (STREAM_REPLICAS), egress exactly DNS
 * and NATS, admitted by the NATS servers; and no other workload holding the provisioner's password.
 */
export function checkProvisionJob(overlay: string, objects: K8sObject[], problems: string[]): void {
  const p = (msg: string) => problems.push(`overlay ${overlay}: ${msg}`);
  const before = problems.length;
  const provisionerKey = natsPasswordVariable(PROVISIONER);
  const workloads = objects.filter((o) =>
    ['Deployment', 'StatefulSet', 'Job'].includes(o.kind),
  ) as unknown as (Workload & { kind: string })[];
  for (const w of workloads) {
    if (w.kind === 'Job' && w.metadata.name === PROVISION_JOB) continue;
    for (const c of w.spec.template.spec.containers)
      if (c.env?.some((e) => e.valueFrom?.secretKeyRef?.key === provisionerKey))
        p(`${w.kind} ${w.metadata.name}/${c.name} reads ${provisionerKey}: only Job ${PROVISION_JOB} may`);
  }
  const job = workloads.find((w) => w.kind === 'Job' && w.metadata.name === PROVISION_JOB);
  if (!job) {
    p(`Job ${PROVISION_JOB} is missing (the only workload that creates or updates the streams)`);
    return;
  }
  const at = `Job ${PROVISION_JOB}`;
  const containers = job.spec.template.spec.containers;
  const c = containers.find((x) => x.name === PROVISION_JOB);
  if (!c || containers.length !== 1) {
    p(`${at}: exactly one container, named ${PROVISION_JOB}`);
    return;
  }
  const args = (c as Container & { args?: string[] }).args ?? [];
  if (JSON.stringify(args) !== JSON.stringify(['cli', 'nats:provision']))
    p(
      `${at}: args must be ["cli", "nats:provision"] (got ${JSON.stringify(args)}; --allow-fewer-replicas is for a deliberate one-off run)`,
    );
  const env = new Map((c.env ?? []).map((e) => [e.name, e]));
  if (env.get('NATS_USER')?.value !== PROVISIONER) p(`${at}: NATS_USER must be ${PROVISIONER}`);
  const refs = (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : []));
  const pw = env.get('NATS_PASSWORD')?.valueFrom?.secretKeyRef;
  if (pw?.name !== NATS_AUTH_SECRET || pw.key !== provisionerKey)
    p(`${at}: NATS_PASSWORD must come from Secret ${NATS_AUTH_SECRET} key ${provisionerKey}`);
  if (refs.length !== 1 || (c.envFrom ?? []).some((ef) => ef.secretRef))
    p(
      `${at}: reads ${show(new Set([...refs.map((r) => `${r.name}/${r.key}`), ...(c.envFrom ?? []).flatMap((ef) => (ef.secretRef ? [`${ef.secretRef.name} (whole)`] : []))]))}; only its own password key (${NATS_AUTH_SECRET}/${provisionerKey})`,
    );
  if (env.get('NATS_URL')?.value !== 'nats://$(NATS_USER):$(NATS_PASSWORD)@$(NATS_HOSTPORT)')
    p(`${at}: NATS_URL must be nats://$(NATS_USER):$(NATS_PASSWORD)@$(NATS_HOSTPORT)`);
  if (!(c.envFrom ?? []).some((ef) => ef.configMapRef?.name.startsWith('union-eyes-ml-config')))
    p(`${at}: needs the ConfigMap union-eyes-ml-config (NATS_HOSTPORT, SUBJECT_PREFIX, STREAM_REPLICAS)`);

  // Network: DNS and NATS out, nothing in; and the NATS servers let it in on 4222.
  const labels = job.spec.template.metadata?.labels ?? {};
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as NetworkPolicy[];
  const applying = policies.filter((np) => selects(np.spec.podSelector, labels));
  const egress = rulePorts(
    applying.filter((np) => np.spec.policyTypes?.includes('Egress')).flatMap((np) => np.spec.egress ?? []),
  );
  const wantEgress = new Set(['UDP/53', 'TCP/53', 'TCP/4222']);
  if (!sameSet(egress, wantEgress)) p(`${at}: egress allows ${show(egress)}; want ${show(wantEgress)}`);
  const ingress = applying
    .filter((np) => np.spec.policyTypes?.includes('Ingress'))
    .flatMap((np) => np.spec.ingress ?? []);
  if (ingress.length) p(`${at}: no ingress wanted, a policy allows some`);
  const admitted = policies
    .filter(
      (np) => selects(np.spec.podSelector, NATS_SERVER_LABELS) && np.spec.policyTypes?.includes('Ingress'),
    )
    .flatMap((np) => np.spec.ingress ?? [])
    .some(
      (r) =>
        (rulePorts([r]).has('TCP/4222') || rulePorts([r]).has('*')) &&
        (r.from ?? []).some((peer) => !peer.namespaceSelector && selects(peer.podSelector, labels)),
    );
  if (!admitted) p(`${at}: no NetworkPolicy lets it reach the NATS servers on 4222`);
  if (problems.length === before)
    problems.push(`note: overlay ${overlay}: Job ${PROVISION_JOB} provisions the streams as ${PROVISIONER}`);
}

// ---------------------------------------------------------------------------------------------------
// The console: its sign-in, who reads its secrets, its way to the notifier and in from people
// ---------------------------------------------------------------------------------------------------

/** Where a container's variable comes from, and its value when the output says it. */
export interface EnvSource {
  value?: string;
  secret?: SecretKeyRef;
  configMap?: SecretKeyRef;
}

/**
 * A container's environment as the kubelet builds it: `envFrom` first (a later source wins), then `env`
 * (a later entry wins). Values of ConfigMaps and Secrets in the output are resolved; an out-of-band
 * Secret's are not (only where they come from). Keys of a whole out-of-band Secret (envFrom) are unknown.
 */
export function effectiveEnv(c: Container, objects: K8sObject[]): Map<string, EnvSource> {
  const configMap = (name: string): Record<string, string> | undefined =>
    (
      objects.find((o) => o.kind === 'ConfigMap' && isObject(o.metadata) && o.metadata.name === name) as
        { data?: Record<string, string> } | undefined
    )?.data ?? undefined;
  const env = new Map<string, EnvSource>();
  for (const ef of c.envFrom ?? []) {
    if (ef.configMapRef) {
      const name = ef.configMapRef.name;
      for (const [key, value] of Object.entries(configMap(name) ?? {}))
        env.set(key, { value, configMap: { name, key } });
    }
    if (ef.secretRef) {
      const name = ef.secretRef.name;
      for (const [key, value] of secretValues(objects, name) ?? new Map<string, string>())
        env.set(key, { value, secret: { name, key } });
    }
  }
  for (const e of c.env ?? []) {
    const s = e.valueFrom?.secretKeyRef;
    const m = e.valueFrom?.configMapKeyRef;
    if (s) env.set(e.name, { secret: s, value: secretValues(objects, s.name)?.get(s.key) });
    else if (m) env.set(e.name, { configMap: m, value: configMap(m.name)?.[m.key] });
    else env.set(e.name, { value: e.value ?? '' });
  }
  return env;
}

/** The hosts an Ingress routes to a Service (any port named `port` or numbered `number`). */
function ingressHostsFor(
  ingress: K8sObject,
  service: string,
  port: { name: string; number: number },
): string[] {
  const spec = ingress.spec as
    | {
        rules?: {
          host?: string;
          http?: {
            paths?: {
              backend?: { service?: { name?: string; port?: { name?: string; number?: number } } };
            }[];
          };
        }[];
      }
    | undefined;
  return (spec?.rules ?? [])
    .filter((r) =>
      (r.http?.paths ?? []).some(
        (x) =>
          x.backend?.service?.name === service &&
          (x.backend.service.port?.name === port.name || x.backend.service.port?.number === port.number),
      ),
    )
    .map((r) => r.host ?? '*');
}

/**
 * The console as the overlay deploys it:
 * - a sign-in the app accepts (apps/console/src/console.config.ts, checkConsoleConfig): OIDC with all four
 *   OIDC_* settings, its client secret and CONSOLE_SESSION_SECRET from a Secret key (never a value in the
 *   manifest), or the development sign-in (CONSOLE_DEV_LOGIN=true), which the app refuses with
 *   NODE_ENV=production and which no production overlay (PINNED_OVERLAYS) may turn on, whatever its
 *   NODE_ENV: it signs anyone in without a password;
 * - its sign-in's settings and secrets read by no other workload (by name, by Secret key, or through the
 *   console's own ConfigMap): the client secret signs people in as the console;
 * - NOTIFIER_URL the notifier's Service and port, the console's egress and the notifier's ingress letting it
 *   through;
 * - in a production overlay, an Ingress to its Service with TLS for each host, one of them the host of
 *   OIDC_REDIRECT_URL (the issuer sends the browser back there).
 */
export function consoleProblems(overlay: string, objects: K8sObject[]): string[] {
  const out: string[] = [];
  const production = PINNED_OVERLAYS.includes(overlay);
  const named = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && isObject(o.metadata) && o.metadata.name === name);

  // Only the console reads what signs people in.
  for (const w of objects) {
    const t = templateOf(w);
    const name = isObject(w.metadata) ? String(w.metadata.name) : '?';
    if (!t || (w.kind === 'Deployment' && name === CONSOLE)) continue;
    for (const c of [...t.spec.containers, ...(t.spec.initContainers ?? [])]) {
      const read = new Set<string>();
      for (const [key, source] of effectiveEnv(c, objects)) {
        if (OIDC_SETTINGS.includes(key) || CONSOLE_SECRETS.includes(key)) read.add(key);
        else if (source.secret && CONSOLE_SECRETS.includes(source.secret.key))
          read.add(`${source.secret.name}/${source.secret.key}`);
        else if (source.configMap?.name.startsWith(CONSOLE_CONFIG))
          read.add(`${source.configMap.name} ${key}`);
      }
      for (const ef of c.envFrom ?? []) {
        if (ef.secretRef?.name === CONSOLE_SECRET) read.add(`${CONSOLE_SECRET} (whole)`);
        if (ef.configMapRef?.name.startsWith(CONSOLE_CONFIG)) read.add(`${ef.configMapRef.name} (whole)`);
      }
      if (read.size)
        out.push(
          `${w.kind} ${name}/${c.name} reads the console's sign-in (${show(read)}): only Deployment ${CONSOLE} may`,
        );
    }
  }

  const d = named('Deployment', CONSOLE);
  const c = d && templateOf(d)?.spec.containers.find((x) => x.name === 'app');
  if (!d || !c) return out; // reported with the other services (checkOverlay)
  const at = `Deployment ${CONSOLE}`;
  const env = effectiveEnv(c, objects);
  const nodeEnv = env.get('NODE_ENV')?.value ?? IMAGE_NODE_ENV;
  const prodMode = nodeEnv === 'production';
  const devLogin = env.get('CONSOLE_DEV_LOGIN')?.value === 'true';

  // The sign-in.
  if (devLogin && prodMode)
    out.push(
      `${at}: CONSOLE_DEV_LOGIN=true with NODE_ENV=production: the console refuses it and exits at start`,
    );
  if (production && devLogin)
    out.push(
      `${at}: CONSOLE_DEV_LOGIN=true in a production overlay: anyone who reaches it signs in without a password; sign in through OIDC`,
    );
  if (production && !prodMode)
    out.push(
      `${at}: NODE_ENV ${nodeEnv} in a production overlay; the console's production refusals need production`,
    );
  if (prodMode && env.get('CONSOLE_COOKIE_SECURE')?.value === 'false')
    out.push(`${at}: CONSOLE_COOKIE_SECURE=false is refused with NODE_ENV=production`);
  const oidc = OIDC_SETTINGS.filter((k) => env.has(k));
  if (oidc.length > 0 && oidc.length < OIDC_SETTINGS.length)
    out.push(
      `${at}: ${OIDC_SETTINGS.filter((k) => !env.has(k)).join(', ')} missing: ${OIDC_SETTINGS.join(', ')} go together`,
    );
  const oidcOn = oidc.length === OIDC_SETTINGS.length;
  if (!oidcOn && !(devLogin && !prodMode))
    out.push(
      `${at}: nobody could sign in: set ${OIDC_SETTINGS.join(', ')} and CONSOLE_SESSION_SECRET${production ? '' : ' (or, outside production, CONSOLE_DEV_LOGIN=true)'}`,
    );
  if (oidcOn) {
    for (const key of CONSOLE_SECRETS) {
      const source = env.get(key);
      if (!source?.secret)
        out.push(
          `${at}: ${key} must come from a Secret key (secretKeyRef), not ${source ? 'a value in the manifest or a ConfigMap' : 'nowhere'}`,
        );
      else if (production && source.secret.optional)
        out.push(
          `${at}: ${key} from an optional Secret key: without it nobody can sign in; make it required`,
        );
      else if (source.value !== undefined && key === 'CONSOLE_SESSION_SECRET' && source.value.length < 32)
        out.push(`${at}: CONSOLE_SESSION_SECRET: at least 32 characters (value not shown)`);
    }
    for (const key of ['OIDC_ISSUER', 'OIDC_REDIRECT_URL']) {
      const value = env.get(key)?.value;
      if (prodMode && value !== undefined && !value.startsWith('https://'))
        out.push(`${at}: ${key} ${value} is not https`);
    }
    const redirect = env.get('OIDC_REDIRECT_URL')?.value;
    if (redirect !== undefined && !/^https?:\/\/[^/]+\/auth\/callback$/.test(redirect))
      out.push(`${at}: OIDC_REDIRECT_URL ${redirect} must be <scheme>://<the console's host>/auth/callback`);
  }

  // Its way to the notifier: the URL, out of the console and into the notifier.
  const notifier = SERVICES.find((x) => x.name === 'notifier')!;
  const notifierUrl = `http://${notifier.name}:${notifier.port}`;
  if (env.get('NOTIFIER_URL')?.value !== notifierUrl)
    out.push(
      `${at}: NOTIFIER_URL must be ${notifierUrl} (the notifier's Service: acknowledgements, recipients)`,
    );
  const labelsOfPods = (name: string): Record<string, string> => {
    const w = named('Deployment', name);
    return (w && templateOf(w)?.metadata?.labels) ?? { 'app.kubernetes.io/name': name };
  };
  const consolePods = labelsOfPods(CONSOLE);
  const notifierPods = labelsOfPods(notifier.name);
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as NetworkPolicy[];
  const lets = (rule: PolicyRule, peers: PolicyPeer[] | undefined, pods: Record<string, string>) =>
    (rulePorts([rule]).has(`TCP/${notifier.port}`) || rulePorts([rule]).has('*')) &&
    (peers === undefined ||
      peers.some((x) => !x.namespaceSelector && !x.ipBlock && selects(x.podSelector, pods)));
  const outToNotifier = policies
    .filter((np) => selects(np.spec.podSelector, consolePods) && np.spec.policyTypes?.includes('Egress'))
    .flatMap((np) => np.spec.egress ?? [])
    .some((r) => lets(r, r.to, notifierPods));
  const inAtNotifier = policies
    .filter((np) => selects(np.spec.podSelector, notifierPods) && np.spec.policyTypes?.includes('Ingress'))
    .flatMap((np) => np.spec.ingress ?? [])
    .some((r) => lets(r, r.from, consolePods));
  if (!outToNotifier)
    out.push(`${at}: no NetworkPolicy lets it out to the notifier's pods on ${notifier.port}`);
  if (!inAtNotifier)
    out.push(`Deployment ${notifier.name}: no NetworkPolicy lets the console in on ${notifier.port}`);

  // In from people, in production: an Ingress with TLS, at the host the issuer sends them back to.
  if (production) {
    const port = SERVICES.find((x) => x.name === CONSOLE)!.port;
    const ingresses = objects.filter((o) => o.kind === 'Ingress');
    const hosts = new Set<string>();
    for (const ing of ingresses) {
      const routed = ingressHostsFor(ing, CONSOLE, { name: 'http', number: port });
      const tls = new Set(
        ((ing.spec as { tls?: { hosts?: string[] }[] } | undefined)?.tls ?? []).flatMap((x) => x.hosts ?? []),
      );
      for (const h of routed) {
        hosts.add(h);
        if (!tls.has(h))
          out.push(`${nameOf(ing)}: host ${h} has no TLS (spec.tls): the console's session cookie is Secure`);
      }
    }
    if (hosts.size === 0)
      out.push(`no Ingress routes to Service ${CONSOLE} (port http): people could not reach the console`);
    const redirect = env.get('OIDC_REDIRECT_URL')?.value;
    const host = redirect ? /^https?:\/\/([^/:]+)/.exec(redirect)?.[1] : undefined;
    if (host && hosts.size && !hosts.has(host))
      out.push(
        `${at}: OIDC_REDIRECT_URL's host ${host} is not the Ingress's (${show(hosts)}): the issuer would send people elsewhere`,
      );
  }
  return out;
}

/**
 * Where an overlay has the monitoring objects (components/monitoring): the PodMonitor scrapes every
 * service's pods, and the service-down and service-absent alerts name every service, so that a service
 * added to SERVICES is watched like the others.
 */
export function monitoringCoverageProblems(objects: K8sObject[]): string[] {
  const out: string[] = [];
  const monitors = objects.filter((o) => o.kind === 'PodMonitor') as unknown as {
    metadata: { name: string };
    spec: { selector?: Selector; podMetricsEndpoints?: { port?: string; portNumber?: number }[] };
  }[];
  const rules = objects.filter((o) => o.kind === 'PrometheusRule').flatMap(rulesOf);
  if (monitors.length === 0 && rules.length === 0) return out;
  const down = rules.find((r) => r.alert === 'UnionEyesMLServiceDown');
  const absent = rules.find((r) => r.alert === 'UnionEyesMLServiceAbsent');
  const jobs = down ? /job=~"([^"]+)"/.exec(down.expr)?.[1] : undefined;
  if (!down || !jobs) out.push('alert UnionEyesMLServiceDown: missing, or without job=~"<every service>"');
  if (!absent) out.push('alert UnionEyesMLServiceAbsent: missing');
  // /metrics answers on the ops port only: scraped anywhere else, every target is down (404).
  for (const m of monitors)
    for (const e of m.spec.podMetricsEndpoints ?? [])
      if (e.port !== OPS_PORT_NAME && e.portNumber !== OPS_PORT)
        out.push(
          `PodMonitor ${m.metadata.name}: scrapes port ${e.port ?? e.portNumber ?? '(none)'}; /metrics answers on the ops port only (port ${OPS_PORT_NAME}, ${OPS_PORT})`,
        );
  for (const { name } of SERVICES) {
    const d = objects.find(
      (o) => o.kind === 'Deployment' && isObject(o.metadata) && o.metadata.name === name,
    );
    const labels = (d && templateOf(d)?.metadata?.labels) ?? { 'app.kubernetes.io/name': name };
    if (!monitors.some((m) => selects(m.spec.selector, labels)))
      out.push(`no PodMonitor scrapes ${name}'s pods`);
    if (jobs && !new RegExp(`^(?:${jobs})$`).test(name))
      out.push(`alert UnionEyesMLServiceDown does not watch ${name} (job=~"${jobs}")`);
    if (absent && !absent.expr.includes(`job="${name}"`))
      out.push(`alert UnionEyesMLServiceAbsent has no absent(up{..., job="${name}"})`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The ops port and the service tokens
// ---------------------------------------------------------------------------------------------------

/**
 * Every service's ops port as it is deployed: the container port `ops` is OPS_PORT (one number for all, not
 * the HTTP port), the app's OPS_PORT says so (without it, /health and /metrics stay on the HTTP port and the
 * probes on `ops` find nothing), the scrape annotation names it; and no network policy rule admits the same
 * peers on both ports, so that Prometheus reaches the ops port only and the callers of the actions the HTTP
 * port only. (The probes: probeProblems; the PodMonitor: monitoringCoverageProblems.)
 */
export function opsPortProblems(objects: K8sObject[]): string[] {
  const out: string[] = [];
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as NetworkPolicy[];
  for (const { name, port } of SERVICES) {
    const d = objects.find(
      (o) => o.kind === 'Deployment' && isObject(o.metadata) && o.metadata.name === name,
    );
    const t = d && templateOf(d);
    const c = t?.spec.containers.find((x) => x.name === 'app');
    if (!t || !c) continue; // reported with the other services (checkOverlay)
    const at = `Deployment ${name}`;
    const ops = c.ports?.find((x) => x.name === OPS_PORT_NAME);
    if (ops?.containerPort !== OPS_PORT)
      out.push(
        `${at}: container port ${OPS_PORT_NAME} must be ${OPS_PORT} (has ${ops?.containerPort ?? 'none'})`,
      );
    const env = effectiveEnv(c, objects).get('OPS_PORT')?.value;
    if (env !== String(OPS_PORT))
      out.push(
        `${at}: OPS_PORT must be "${OPS_PORT}" (has ${env === undefined ? 'none' : JSON.stringify(env)}): without it /health and /metrics stay on port ${port}, not where the probes and Prometheus ask`,
      );
    if (ops?.containerPort === port) out.push(`${at}: the ops port must differ from the HTTP port ${port}`);
    const annotations = t.metadata?.annotations ?? {};
    if (
      annotations['prometheus.io/scrape'] === 'true' &&
      annotations['prometheus.io/port'] !== String(OPS_PORT)
    )
      out.push(
        `${at}: annotation prometheus.io/port must be "${OPS_PORT}" (annotation-based scraping would try port ${port}, where /metrics is 404)`,
      );
    const labels = t.metadata?.labels ?? {};
    for (const np of policies.filter(
      (x) => selects(x.spec.podSelector, labels) && x.spec.policyTypes?.includes('Ingress'),
    ))
      for (const rule of np.spec.ingress ?? []) {
        const ports = rulePorts([rule]);
        if (ports.has('*') || (ports.has(`TCP/${port}`) && ports.has(`TCP/${OPS_PORT}`)))
          out.push(
            `NetworkPolicy ${np.metadata.name}: one rule admits the same peers to ${name}'s HTTP port and ops port; Prometheus wants the ops port only, the callers of its actions the HTTP port only`,
          );
      }
  }
  return out;
}

/**
 * The service tokens as the overlay deploys them. Each service of TOKEN_SERVICES reads SERVICE_TOKEN from a
 * Secret key of its own (never a value in the manifest), required (with NODE_ENV=production it refuses to
 * start without one; otherwise its actions would be open), of at least TOKEN_MIN_LENGTH characters where the
 * output holds the value and its NODE_ENV is production; in a production overlay, from a Secret created out
 * of band (a value in Git is no secret). The console and the cli toolbox send the notifier's own key as
 * NOTIFIER_TOKEN (any other answers 401), and nothing else reads either key.
 */
export function serviceTokenProblems(overlay: string, objects: K8sObject[]): string[] {
  const out: string[] = [];
  const production = PINNED_OVERLAYS.includes(overlay);
  const containerOf = (name: string, container: string) => {
    const d = objects.find(
      (o) => o.kind === 'Deployment' && isObject(o.metadata) && o.metadata.name === name,
    );
    return d && templateOf(d)?.spec.containers.find((x) => x.name === container);
  };
  const keyOf = (s: SecretKeyRef) => `${s.name}/${s.key}`;
  /** Secret key -> who may read it, as `<workload>/<container> <variable>`. */
  const readers = new Map<string, string[]>();
  const tokens = new Map<string, string>();
  for (const name of TOKEN_SERVICES) {
    const c = containerOf(name, 'app');
    if (!c) continue; // reported with the other services (checkOverlay)
    const at = `Deployment ${name}`;
    const env = effectiveEnv(c, objects);
    const nodeEnv = env.get('NODE_ENV')?.value ?? IMAGE_NODE_ENV;
    const prodMode = nodeEnv === 'production';
    const token = env.get('SERVICE_TOKEN');
    if (!token) {
      out.push(
        `${at}: no SERVICE_TOKEN: ${prodMode ? 'with NODE_ENV=production it refuses to start' : 'its HTTP actions are open to whoever reaches its port'}`,
      );
      continue;
    }
    if (!token.secret)
      out.push(
        `${at}: SERVICE_TOKEN must come from a Secret key (secretKeyRef), not a value in the manifest or a ConfigMap`,
      );
    else {
      const key = keyOf(token.secret);
      const other = [...tokens].find(([, k]) => k === key)?.[0];
      if (other) out.push(`${at}: SERVICE_TOKEN from ${key}, the ${other}'s token: each service its own`);
      tokens.set(name, key);
      readers.set(key, [...(readers.get(key) ?? []), `Deployment ${name}/app SERVICE_TOKEN`]);
      if (token.secret.optional)
        out.push(
          `${at}: SERVICE_TOKEN from an optional Secret key: without it ${prodMode ? 'it refuses to start' : 'its actions are open'}; make it required`,
        );
      if (production && token.value !== undefined)
        out.push(
          `${at}: SERVICE_TOKEN's Secret ${token.secret.name} is in the output of a production overlay: create it out of band (deploy/README.md), a value in Git is no secret`,
        );
    }
    if (prodMode && token.value !== undefined && token.value.length < TOKEN_MIN_LENGTH)
      out.push(
        `${at}: SERVICE_TOKEN: at least ${TOKEN_MIN_LENGTH} characters with NODE_ENV=production, or the ${name} refuses to start (value not shown)`,
      );
    if (production && !prodMode)
      out.push(
        `${at}: NODE_ENV ${nodeEnv} in a production overlay; its refusal to start without a token needs production`,
      );
  }

  // The notifier's callers send its own key.
  const notifierKey = tokens.get('notifier');
  for (const sender of NOTIFIER_TOKEN_SENDERS) {
    const c = containerOf(sender.name, sender.container);
    if (!c) continue; // the console: reported with the other services; the cli toolbox is optional
    const at = `Deployment ${sender.name}`;
    const source = effectiveEnv(c, objects).get('NOTIFIER_TOKEN');
    const want = notifierKey
      ? `the notifier's SERVICE_TOKEN key (${notifierKey})`
      : "the notifier's SERVICE_TOKEN key";
    if (!source?.secret)
      out.push(
        `${at}: NOTIFIER_TOKEN must come from ${want}, not ${source ? 'a value in the manifest or a ConfigMap' : 'nowhere'}: the notifier answers 401 to anything else`,
      );
    else if (notifierKey && keyOf(source.secret) !== notifierKey)
      out.push(
        `${at}: NOTIFIER_TOKEN from ${keyOf(source.secret)}, not ${want}: the notifier would answer 401 (and rotating one would not rotate the other)`,
      );
    else {
      if (source.secret.optional)
        out.push(`${at}: NOTIFIER_TOKEN from an optional Secret key; make it required, as the notifier's is`);
      readers.set(keyOf(source.secret), [
        ...(readers.get(keyOf(source.secret)) ?? []),
        `Deployment ${sender.name}/${sender.container} NOTIFIER_TOKEN`,
      ]);
    }
  }

  // Nothing else reads a token: each is as good as the service's actions.
  for (const w of objects) {
    const t = templateOf(w);
    if (!t) continue;
    const name = isObject(w.metadata) ? String(w.metadata.name) : '?';
    for (const c of [...t.spec.containers, ...(t.spec.initContainers ?? [])]) {
      for (const [variable, source] of effectiveEnv(c, objects)) {
        const key = source.secret && keyOf(source.secret);
        const allowed = key === undefined ? undefined : readers.get(key);
        if (allowed && !allowed.includes(`${w.kind} ${name}/${c.name} ${variable}`))
          out.push(
            `${w.kind} ${name}/${c.name} reads ${key} (as ${variable}): only ${allowed.map((x) => x.split(' ')[1]).join(', ')} may`,
          );
      }
      for (const ef of c.envFrom ?? [])
        if (ef.secretRef && [...readers.keys()].some((k) => k.startsWith(`${ef.secretRef!.name}/`)))
          out.push(
            `${w.kind} ${name}/${c.name} reads Secret ${ef.secretRef.name} whole: it holds the service tokens; read the one key you may`,
          );
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Database roles: who connects as whom
// ---------------------------------------------------------------------------------------------------

/** The Secret key holding a PostgreSQL role's password: ue_drift_monitor -> UE_DB_DRIFT_MONITOR_PASSWORD. */
export function dbPasswordKey(role: string): string {
  return `UE_DB_${role.replace(/^ue_/, '').toUpperCase()}_PASSWORD`;
}

/** Who a container connects to PostgreSQL as: the user of its DATABASE_URL and the Secret key of its password. */
export interface DatabaseLogin {
  user: string;
  password: SecretKeyRef;
}

const COMPOSED_DATABASE_URL =
  /^postgresql:\/\/([^:@/$]+):\$\(([A-Za-z_][A-Za-z0-9_]*)\)@\$\(DATABASE_HOSTPORT\)\/\$\(DATABASE_NAME\)$/;

/**
 * The login a container's DATABASE_URL composes, or what is wrong with it. The URL must be written in the
 * manifest as `postgresql://<user>:$(<VAR>)@$(DATABASE_HOSTPORT)/$(DATABASE_NAME)` (a `$(VAR)` of a literal
 * env entry, such as a `DB_USER`, is expanded first, as Kubernetes does), `<VAR>` an env entry read from a
 * Secret key: never a whole URL from a Secret, never a password in the manifest.
 */
export function databaseLogin(c: Container): DatabaseLogin | string {
  const env = new Map((c.env ?? []).map((e) => [e.name, e]));
  const url = env.get('DATABASE_URL');
  if (!url) return 'no env DATABASE_URL';
  if (url.value === undefined) return 'DATABASE_URL must be composed in the manifest, not read whole';
  const expanded = url.value.replace(
    /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g,
    (ref, name: string) => env.get(name)?.value ?? ref,
  );
  const m = COMPOSED_DATABASE_URL.exec(expanded);
  if (!m)
    return `DATABASE_URL ${url.value} is not postgresql://<role>:$(<password>)@$(DATABASE_HOSTPORT)/$(DATABASE_NAME)`;
  const password = env.get(m[2]!)?.valueFrom?.secretKeyRef;
  if (!password) return `DATABASE_URL's password $(${m[2]}) must be read from a Secret key`;
  return { user: m[1]!, password };
}

/** A Secret's values (stringData as is, data decoded); undefined when the Secret is not in the output. */
function secretValues(objects: K8sObject[], name: string): Map<string, string> | undefined {
  const s = objects.find(
    (o) => o.kind === 'Secret' && isObject(o.metadata) && o.metadata.name === name,
  ) as unknown as { data?: Record<string, string>; stringData?: Record<string, string> } | undefined;
  if (!s) return undefined;
  return new Map([
    ...Object.entries(s.data ?? {}).map(([k, v]): [string, string] => [
      k,
      Buffer.from(v, 'base64').toString(),
    ]),
    ...Object.entries(s.stringData ?? {}),
  ]);
}

/**
 * Each service on its own role with its own password key, the cli toolbox and the migration Job on the
 * owner's; in an overlay that ships the database Secret itself (dev), the Job may instead connect as the
 * PostgreSQL superuser so that migrate() creates the roles, which then all have the superuser's password.
 */
function checkDatabaseLogins(overlay: string, objects: K8sObject[], problems: string[]): void {
  const p = (msg: string) => problems.push(`overlay ${overlay}: ${msg}`);
  const before = problems.length;
  const workloads = objects.filter((o) =>
    ['Deployment', 'StatefulSet', 'Job'].includes(o.kind),
  ) as unknown as (Workload & { kind: string })[];
  const find = (kind: string, name: string) =>
    workloads.find((w) => w.kind === kind && w.metadata.name === name);
  const values = secretValues(objects, DB_SECRET);
  const ownerKey = dbPasswordKey(OWNER_ROLE);

  // Nothing reads the Secret whole (it holds the owner's password), nor two of its keys.
  for (const w of workloads)
    for (const c of w.spec.template.spec.containers) {
      const at = `${w.kind} ${w.metadata.name}/${c.name}`;
      if (c.envFrom?.some((ef) => ef.secretRef?.name === DB_SECRET))
        p(`${at}: envFrom Secret ${DB_SECRET} hands it every role's password; read its own key only`);
      const keys = new Set(
        (c.env ?? []).flatMap((e) =>
          e.valueFrom?.secretKeyRef?.name === DB_SECRET ? [e.valueFrom.secretKeyRef.key] : [],
        ),
      );
      if (keys.size > 1) p(`${at}: reads several database passwords (${show(keys)}); one role per workload`);
    }

  /** The container's login; undefined (and a problem) when there is no such container or URL to read. */
  const login = (kind: string, name: string, container: string): DatabaseLogin | undefined => {
    const c = find(kind, name)?.spec.template.spec.containers.find((x) => x.name === container);
    if (!c) {
      p(`${kind} ${name}: no container ${container}`);
      return undefined;
    }
    const l = databaseLogin(c);
    if (typeof l === 'string') {
      p(`${kind} ${name}/${container}: ${l}`);
      return undefined;
    }
    if (l.password.name !== DB_SECRET)
      p(`${kind} ${name}/${container}: the database password must come from Secret ${DB_SECRET}`);
    return l;
  };
  const expectRole = (kind: string, name: string, container: string, role: string): void => {
    const l = login(kind, name, container);
    if (!l) return;
    if (l.user !== role) p(`${kind} ${name}: DATABASE_URL connects as ${l.user}; want ${role}`);
    if (l.password.key !== dbPasswordKey(role))
      p(
        `${kind} ${name}: database password from key ${l.password.key}; want ${dbPasswordKey(role)} (${role})`,
      );
  };

  const roles = SERVICE_ROLES as Record<string, string>;
  const grants = grantsByRole();
  for (const { name } of SERVICES) {
    const role = roles[name];
    if (!role) p(`${name}: no role in SERVICE_ROLES (libs/database/src/roles.ts)`);
    else {
      // A login that the table-to-owner map grants nothing to could not read or write a single row.
      if (!grants.get(role)?.size)
        p(`${name}: role ${role} is granted no table (libs/database/src/ownership.ts)`);
      if (find('Deployment', name)) expectRole('Deployment', name, 'app', role);
    }
  }
  // The operator toolbox reads across tenants, which row-level security denies every service role.
  if (find('Deployment', 'cli')) expectRole('Deployment', 'cli', 'cli', OWNER_ROLE);

  if (!find('Job', 'migrate')) {
    p('Job migrate is missing');
    return;
  }
  const job = login('Job', 'migrate', 'migrate');
  let ranAs = job?.user ?? '?';
  // Every role of libs/database/src/roles.ts is ue_*; a user that is not, with the superuser key, is the
  // server's superuser.
  if (job && job.password.key === DB_SUPERUSER_KEY && !job.user.startsWith('ue_')) {
    ranAs += ' (superuser)';
    // Only where the overlay ships the Secret itself: production's Job never holds a superuser password.
    if (!values)
      p(
        `Job migrate: connects as the superuser ${job.user}, allowed only in an overlay that ships Secret ${DB_SECRET} (dev)`,
      );
    else {
      const superPassword = values.get(DB_SUPERUSER_KEY);
      // migrate() gives each role it creates the superuser's password: any other value cannot log in.
      for (const role of [OWNER_ROLE, ...Object.values(roles)])
        if (values.get(dbPasswordKey(role)) !== superPassword)
          p(
            `Secret ${DB_SECRET}: ${dbPasswordKey(role)} must equal ${DB_SUPERUSER_KEY}: the migration Job creates the roles as the superuser, with its password`,
          );
      // The in-output PostgreSQL server, if any, must have that very superuser and password.
      for (const w of workloads)
        for (const c of w.spec.template.spec.containers) {
          const env = new Map((c.env ?? []).map((e) => [e.name, e]));
          const pw = env.get('POSTGRES_PASSWORD');
          if (!pw) continue;
          const serverUser = env.get('POSTGRES_USER')?.value ?? 'postgres';
          const ref = pw.valueFrom?.secretKeyRef;
          const serverPassword = ref?.name === DB_SECRET ? values.get(ref.key) : pw.value;
          if (serverUser !== job.user || serverPassword !== superPassword)
            p(
              `${w.kind} ${w.metadata.name}: its superuser (POSTGRES_USER, POSTGRES_PASSWORD) must be the migration Job's (${job.user}, ${DB_SUPERUSER_KEY})`,
            );
        }
    }
  } else if (job) {
    if (job.user !== OWNER_ROLE) p(`Job migrate: DATABASE_URL connects as ${job.user}; want ${OWNER_ROLE}`);
    if (job.password.key !== ownerKey)
      p(`Job migrate: database password from key ${job.password.key}; want ${ownerKey}`);
  }

  // The Secret, where the overlay ships it: one password per role, nothing else (no whole URL).
  if (values) {
    const want = new Set([ownerKey, ...Object.values(roles).map(dbPasswordKey)]);
    const have = new Set([...values.keys()].filter((k) => k !== DB_SUPERUSER_KEY));
    const missing = new Set([...want].filter((k) => !have.has(k)));
    const extra = new Set([...have].filter((k) => !want.has(k)));
    if (missing.size) p(`Secret ${DB_SECRET}: no password for ${show(missing)}`);
    if (extra.size) p(`Secret ${DB_SECRET}: ${show(extra)}: not a role's password (one key per role only)`);
  }
  // The summary only when all of the above held (notes print as `ok`).
  if (problems.length === before)
    problems.push(
      `note: overlay ${overlay}: database roles: ${SERVICES.length} services on their own, migrate as ${ranAs}${find('Deployment', 'cli') ? `, cli as ${OWNER_ROLE}` : ''}`,
    );
}

/**
 * The table-to-owner map the migrations' grants come from (libs/database/src/ownership.ts): every table
 * written by one role only (the shared outbox and inbox by the group every service is in), and every
 * owner a service that is deployed.
 */
export function ownershipProblems(): string[] {
  const out: string[] = [];
  const writers = new Map<string, string[]>();
  for (const [role, tables] of grantsByRole())
    for (const [table, privileges] of tables)
      if (privileges.some((x) => x !== 'select')) writers.set(table, [...(writers.get(table) ?? []), role]);
  for (const [table, roles] of writers)
    if (roles.length > 1) out.push(`table ${table}: written by ${roles.join(', ')}; one owner per table`);
  const deployed = new Set<string>(SERVICES.map((x) => x.name));
  for (const [table, spec] of Object.entries(TABLES))
    if (spec.owner !== 'shared' && !deployed.has(spec.owner))
      out.push(`table ${table}: its owner ${spec.owner} is not a deployed service`);
  return out.map((x) => `libs/database/src/ownership.ts: ${x}`);
}

function checkOwnership(problems: string[], notes: string[]): void {
  const found = ownershipProblems();
  problems.push(...found);
  if (found.length === 0)
    notes.push(
      `table owners: ${Object.keys(TABLES).length} tables, each written by one role (libs/database/src/ownership.ts)`,
    );
}

// ---------------------------------------------------------------------------------------------------
// NATS values and the services' subjects
// ---------------------------------------------------------------------------------------------------

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.spec.ts') ? [p] : [];
  });
}

/** What an app publishes and consumes durably, as libs/contracts declares it (ROUTES). */
export function subjectsOf(app: BusApp): { publishes: Set<Subject>; consumes: Set<Subject> } {
  return { publishes: new Set(publishedBy(app)), consumes: new Set(consumedBy(app)) };
}

/** The publish permissions a service's NATS user needs (empty SUBJECT_PREFIX). */
export function natsPublishAllow(
  service: string,
  publishes: Iterable<Subject>,
  consumes: Iterable<Subject>,
): string[] {
  const cons = [...consumes];
  const events = TOPOLOGY.eventsStream;
  return [
    ...[...publishes].map((s) => TOPOLOGY.subject(s)),
    ...cons.map((s) => TOPOLOGY.deadLetterSubject(TOPOLOGY.consumerName(service, s))),
    '$JS.API.INFO',
    // Services check the streams at start-up; creating and changing them is the provisioner's alone.
    ...STREAMS.map((st) => `$JS.API.STREAM.INFO.${st}`),
    // A consumer's max-deliveries watcher (libs/messaging/src/max-deliveries.ts) reads the original
    // message back from the events stream to dead-letter it.
    ...(cons.length ? [`$JS.API.STREAM.MSG.GET.${events}`] : []),
    ...cons.flatMap((s) => {
      const d = TOPOLOGY.consumerName(service, s);
      return [
        `$JS.API.CONSUMER.CREATE.${events}.${d}.${TOPOLOGY.subject(s)}`,
        `$JS.API.CONSUMER.INFO.${events}.${d}`,
        `$JS.API.CONSUMER.MSG.NEXT.${events}.${d}`,
        `$JS.ACK.${events}.${d}.>`,
      ];
    }),
  ];
}

/**
 * The subscribe permissions a service's NATS user needs: replies on `_INBOX.>`, and for each of its durable
 * consumers the max-deliveries advisory its watcher listens to (libs/messaging/src/max-deliveries.ts).
 */
export function natsSubscribeAllow(service: string, consumes: Iterable<Subject>): string[] {
  return [
    '_INBOX.>',
    ...[...consumes].map(
      (s) =>
        `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${TOPOLOGY.eventsStream}.${TOPOLOGY.consumerName(service, s)}`,
    ),
  ];
}

/** The claims application's subscribe permissions: replies, and the subjects it receives (CLAIMS_APP_RECEIVES). */
export function natsClaimsAppSubscribeAllow(): string[] {
  return ['_INBOX.>', ...CLAIMS_APP_RECEIVES.map((s) => TOPOLOGY.subject(s))];
}

/** The provisioner's publish permissions: the API info, and create / update / info of the two streams. */
export function natsProvisionerAllow(): string[] {
  return [
    '$JS.API.INFO',
    ...['CREATE', 'UPDATE', 'INFO'].flatMap((op) => STREAMS.map((st) => `$JS.API.STREAM.${op}.${st}`)),
  ];
}

/** The stream-changing API subjects: nobody but the provisioner and the nats-box admin may publish them. */
export const STREAM_CHANGES = ['CREATE', 'UPDATE'].flatMap((op) =>
  STREAMS.map((st) => `$JS.API.STREAM.${op}.${st}`),
);

/** Whether a user's publish permissions let it publish `subject` (an allow covers it, no deny does). */
export function natsMayPublish(u: NatsUser, subject: string): boolean {
  const covered = (patterns: string[] | undefined) => (patterns ?? []).some((p) => subjectCovers(p, subject));
  // nats-server: no publish permissions at all means everything is allowed.
  const allow = u.permissions?.publish?.allow;
  return (allow === undefined || covered(allow)) && !covered(u.permissions?.publish?.deny);
}

/** What the CLI user must be denied: creating or pulling from any service's durable consumer. */
export function natsCliDeny(durables: Iterable<string>): string[] {
  return [...durables].flatMap((d) => [
    `$JS.API.CONSUMER.CREATE.${TOPOLOGY.eventsStream}.${d}`,
    `$JS.API.CONSUMER.MSG.NEXT.${TOPOLOGY.eventsStream}.${d}`,
  ]);
}

interface Permission {
  allow?: string[];
  deny?: string[];
}

/** One entry of `config.merge.authorization.users` in deploy/nats/values.yaml. */
export interface NatsUser {
  user: string;
  password?: string;
  permissions?: { publish?: Permission; subscribe?: Permission };
}

/** deploy/nats/values.yaml, parsed; throws when it cannot be read or is not a mapping. */
export function readNatsValues(root: string): JsonObject {
  const parsed: unknown = parseYaml(readFileSync(join(root, 'deploy/nats/values.yaml'), 'utf8'));
  if (!isObject(parsed)) throw new Error('not a mapping');
  return parsed;
}

/** The value at a dotted path (`config.merge.authorization`), undefined when any step is missing. */
export function valueAt(values: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), values);
}

/** The environment variable holding a NATS user's password: ue-drift-monitor -> UE_DRIFT_MONITOR_PASSWORD. */
export function natsPasswordVariable(user: string): string {
  return `UE_${user.replace(/^ue-/, '').toUpperCase().replace(/-/g, '_')}_PASSWORD`;
}

function checkNatsValues(root: string, problems: string[], notes: string[]): void {
  let v: JsonObject;
  try {
    v = readNatsValues(root);
  } catch (err) {
    problems.push(`deploy/nats/values.yaml: cannot be read: ${(err as Error).message}`);
    return;
  }
  checkNatsValuesObject(v, problems, notes);
}

/** The checks of deploy/nats/values.yaml on its parsed content, against the declared ROUTES. */
export function checkNatsValuesObject(v: JsonObject, problems: string[], notes: string[]): void {
  const p = (msg: string) => problems.push(`deploy/nats/values.yaml: ${msg}`);
  const at = (path: string): unknown => valueAt(v, path);
  if (at('config.jetstream.enabled') !== true) p('config.jetstream.enabled must be true');
  if (
    at('config.jetstream.fileStore.enabled') !== true ||
    at('config.jetstream.fileStore.pvc.enabled') !== true
  )
    p('JetStream must use file storage on a PVC (config.jetstream.fileStore)');
  if (at('config.jetstream.memoryStore.enabled') === true)
    p('config.jetstream.memoryStore must stay disabled');
  if (at('config.jetstream.merge.sync_interval') !== 'always')
    p('config.jetstream.merge.sync_interval must be always');
  if (at('config.cluster.enabled') !== true || at('config.cluster.replicas') !== 3)
    p('config.cluster: 3 replicas');
  const tag = String(at('container.image.tag') ?? '');
  const version = /^(\d+)\.(\d+)/.exec(tag);
  if (!version || Number(version[1]) < 2 || (Number(version[1]) === 2 && Number(version[2]) < 10))
    p(`container.image.tag ${tag || '(unset)'}: sync_interval needs nats-server >= 2.10`);

  const users = at('config.merge.authorization.users');
  if (!Array.isArray(users)) {
    p('config.merge.authorization.users is missing');
    return;
  }
  const byName = new Map((users as unknown as NatsUser[]).map((u) => [u.user, u]));
  const env = at('container.env');
  const checkPassword = (u: NatsUser) => {
    const envName = natsPasswordVariable(u.user);
    if (u.password !== `<< $${envName} >>`) p(`user ${u.user}: password must be << $${envName} >>`);
    const ref = isObject(env)
      ? (env[envName] as { valueFrom?: { secretKeyRef?: SecretKeyRef } } | undefined)
      : undefined;
    const sk = ref?.valueFrom?.secretKeyRef;
    if (sk?.name !== NATS_AUTH_SECRET || sk.key !== envName)
      p(`container.env.${envName} must come from Secret ${NATS_AUTH_SECRET} key ${envName}`);
  };
  const serviceDurables: string[] = [];
  for (const { name } of SERVICES) {
    const u = byName.get(`ue-${name}`);
    if (!u) {
      p(`no NATS user ue-${name}`);
      continue;
    }
    checkPassword(u);
    const { publishes, consumes } = subjectsOf(name);
    if (publishes.size + consumes.size === 0) p(`${name} neither publishes nor consumes anything in ROUTES`);
    serviceDurables.push(...[...consumes].map((c) => TOPOLOGY.consumerName(name, c)));
    const want = new Set(natsPublishAllow(name, publishes, consumes));
    const have = new Set(u.permissions?.publish?.allow ?? []);
    const missing = [...want].filter((s) => !have.has(s));
    const extra = [...have].filter((s) => !want.has(s));
    if (missing.length) p(`user ue-${name} cannot publish ${missing.join(', ')} (ROUTES says it needs it)`);
    if (extra.length) p(`user ue-${name} may publish ${extra.join(', ')} (more than ROUTES says it needs)`);
    const wantSub = new Set(natsSubscribeAllow(name, consumes));
    if (!sameSet(new Set(u.permissions?.subscribe?.allow ?? []), wantSub))
      p(`user ue-${name}: subscribe must be exactly ${show(wantSub)}`);
  }
  const cli = byName.get('ue-cli');
  if (!cli) p('no NATS user ue-cli');
  else {
    checkPassword(cli);
    const allowed = new Set(cli.permissions?.publish?.allow ?? []);
    const requests = new Set([...subjectsOf('cli').publishes].map((s) => TOPOLOGY.subject(s)));
    for (const s of requests)
      if (!allowed.has(s)) p(`user ue-cli cannot publish ${s} (ROUTES: the cli publishes it)`);
    // Events are the services' to publish: a CLI that could would forge a pipeline's answers.
    const forged = [...allowed].filter((s) => !s.startsWith('$') && !requests.has(s));
    if (forged.length)
      p(`user ue-cli may publish ${forged.join(', ')} (ROUTES: not a request the cli makes)`);
    // Its ordered consumers need CREATE / MSG.NEXT on `UE_EVENTS.*`, which would also match the services'
    // durable consumers: those must be denied.
    const denied = new Set(cli.permissions?.publish?.deny ?? []);
    const missing = natsCliDeny(serviceDurables).filter((s) => !denied.has(s));
    if (missing.length) p(`user ue-cli must be denied ${missing.join(', ')} (a service's durable consumer)`);
  }
  // The claims application: publishes its events (as ROUTES says) and reads the streams' info, receives
  // the scorer's answers on a plain subscription; no durable consumer, so no dead letters or acks.
  const claimsApp = byName.get(`ue-${CLAIMS_APP}`);
  if (!claimsApp) p(`no NATS user ue-${CLAIMS_APP} (the claims application)`);
  else {
    checkPassword(claimsApp);
    const { publishes, consumes } = subjectsOf(CLAIMS_APP);
    if (consumes.size) p(`${CLAIMS_APP} has durable consumers in ROUTES; it may only subscribe`);
    const want = new Set(natsPublishAllow(CLAIMS_APP, publishes, []));
    if (!sameSet(new Set(claimsApp.permissions?.publish?.allow ?? []), want))
      p(`user ue-${CLAIMS_APP}: publish must be exactly ${show(want)}`);
    if (claimsApp.permissions?.publish?.deny?.length) p(`user ue-${CLAIMS_APP}: no deny list wanted`);
    const wantSub = new Set(natsClaimsAppSubscribeAllow());
    if (!sameSet(new Set(claimsApp.permissions?.subscribe?.allow ?? []), wantSub))
      p(`user ue-${CLAIMS_APP}: subscribe must be exactly ${show(wantSub)}`);
  }
  // The provisioner: the streams' API and nothing else (no events, consumers, deletes or purges).
  const provisioner = byName.get(PROVISIONER);
  if (!provisioner) p(`no NATS user ${PROVISIONER} (the nats-provision Job)`);
  else {
    checkPassword(provisioner);
    const want = new Set(natsProvisionerAllow());
    if (!sameSet(new Set(provisioner.permissions?.publish?.allow ?? []), want))
      p(`user ${PROVISIONER}: publish must be exactly ${show(want)}`);
    if (!sameSet(new Set(provisioner.permissions?.subscribe?.allow ?? []), new Set(['_INBOX.>'])))
      p(`user ${PROVISIONER}: subscribe must be exactly _INBOX.>`);
  }
  const admin = byName.get(NATS_ADMIN);
  if (!admin) p(`no NATS user ${NATS_ADMIN} (nats-box)`);
  else checkPassword(admin);
  // Creating or changing a stream is the provisioning step's alone: a client that may, will (every CLI
  // run once shrank the production streams to 1 replica).
  const known = new Set([
    ...SERVICES.map((x) => `ue-${x.name}`),
    'ue-cli',
    `ue-${CLAIMS_APP}`,
    PROVISIONER,
    NATS_ADMIN,
  ]);
  for (const u of users as unknown as NatsUser[]) {
    if (!known.has(u.user))
      p(`user ${u.user}: unknown (not a service, ue-cli, ue-${CLAIMS_APP}, ${PROVISIONER} or ${NATS_ADMIN})`);
    if (u.user === PROVISIONER || u.user === NATS_ADMIN) continue;
    const changes = STREAM_CHANGES.filter((subject) => natsMayPublish(u, subject));
    if (changes.length)
      p(
        `user ${u.user} may publish ${changes.join(', ')}: only ${PROVISIONER} creates or updates the streams`,
      );
  }
  notes.push(
    `NATS values: ${users.length} users, permissions matched against the declared ROUTES (libs/contracts); streams created and updated by ${PROVISIONER} only`,
  );
}

// ---------------------------------------------------------------------------------------------------
// As it ships: labels, spreading, probes, TLS to PostgreSQL, pinned images, no Namespace
// ---------------------------------------------------------------------------------------------------

/** The recommended labels (kubernetes.io common labels), on every object and every pod template. */
export const RECOMMENDED_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/component',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/managed-by',
] as const;
const PART_OF = 'union-eyes-ml';
/** The platform's own image, as the manifests name it before kustomize's `images:` (any registry). */
const APP_IMAGE = /(^|\/)union-eyes-ml([:@]|$)/;
/** Overlays that must run the image pinned by digest (the others may use a local tag). */
export const PINNED_OVERLAYS = ['prod'];
const DIGEST_IMAGE = /^[^\s@]+\/[^\s@]+@sha256:[0-9a-f]{64}$/;
/** Values a checked-in overlay may hold until an operator replaces them (deploy/README.md, "Operator values"). */
const PLACEHOLDER = /example\.com|sha256:0{64}/;

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'Job', 'DaemonSet', 'ReplicaSet'];

interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    containers: (Container & { image?: string; [k: string]: unknown })[];
    initContainers?: (Container & { image?: string })[];
    topologySpreadConstraints?: {
      topologyKey: string;
      labelSelector?: Selector;
      matchLabelKeys?: string[];
    }[];
  };
}

const labelsOf = (o: unknown): Record<string, string> =>
  isObject(o) && isObject(o.metadata) && isObject(o.metadata.labels)
    ? (o.metadata.labels as Record<string, string>)
    : {};
const nameOf = (o: K8sObject): string => `${o.kind}/${isObject(o.metadata) ? String(o.metadata.name) : '?'}`;
const templateOf = (o: K8sObject): PodTemplate | undefined =>
  WORKLOAD_KINDS.includes(o.kind) && isObject(o.spec) && isObject(o.spec.template)
    ? (o.spec.template as unknown as PodTemplate)
    : undefined;
const imagesOf = (t: PodTemplate): string[] =>
  [...t.spec.containers, ...(t.spec.initContainers ?? [])].map((c) => c.image ?? '');

/**
 * Every object and pod template carries the six recommended labels, part-of this platform. The version is
 * package.json's on everything but what runs someone else's image (dev's PostgreSQL: its own version).
 */
export function labelProblems(objects: K8sObject[], appVersion: string): string[] {
  const out: string[] = [];
  // Names of workloads that run another image than the platform's, and every object named after them.
  const foreign = new Set(
    objects
      .filter((o) => {
        const t = templateOf(o);
        return t !== undefined && !imagesOf(t).some((i) => APP_IMAGE.test(i));
      })
      .map((o) => labelsOf(o)['app.kubernetes.io/name'])
      .filter((n): n is string => n !== undefined),
  );
  const check = (labels: Record<string, string>, at: string) => {
    const missing = RECOMMENDED_LABELS.filter((k) => !labels[k]);
    if (missing.length) out.push(`${at}: no label ${missing.join(', ')}`);
    if (labels['app.kubernetes.io/part-of'] && labels['app.kubernetes.io/part-of'] !== PART_OF)
      out.push(`${at}: app.kubernetes.io/part-of must be ${PART_OF}`);
    const version = labels['app.kubernetes.io/version'];
    if (version && version !== appVersion && !foreign.has(labels['app.kubernetes.io/name'] ?? ''))
      out.push(`${at}: app.kubernetes.io/version ${version}, but package.json says ${appVersion}`);
  };
  for (const o of objects) {
    check(labelsOf(o), nameOf(o));
    const t = templateOf(o);
    if (t) check(t.metadata?.labels ?? {}, `${nameOf(o)} pod template`);
  }
  return out;
}

/** Keys a spread constraint effectively matches on: its labelSelector's keys and its matchLabelKeys. */
function spreadsPerService(
  c: { labelSelector?: Selector; matchLabelKeys?: string[] },
  name: string,
): boolean {
  return (
    (c.matchLabelKeys ?? []).includes('app.kubernetes.io/name') ||
    c.labelSelector?.matchLabels?.['app.kubernetes.io/name'] === name
  );
}

/**
 * Each service Deployment spreads its replicas over nodes and zones, counting its own pods only: the
 * selector matches its pods, and separates it from the other services (its name in the selector, or in
 * matchLabelKeys).
 */
export function spreadProblems(deployment: K8sObject, name: string): string[] {
  const t = templateOf(deployment);
  if (!t) return [`Deployment ${name}: no pod template`];
  const labels = t.metadata?.labels ?? {};
  const out: string[] = [];
  for (const key of ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']) {
    const c = (t.spec.topologySpreadConstraints ?? []).find((x) => x.topologyKey === key);
    if (!c) out.push(`Deployment ${name}: no topologySpreadConstraint over ${key}`);
    else if (!selects(c.labelSelector, labels))
      out.push(`Deployment ${name}: the spread over ${key} does not select its own pods`);
    else if (!spreadsPerService(c, name))
      out.push(
        `Deployment ${name}: the spread over ${key} counts other services' pods (add app.kubernetes.io/name to matchLabelKeys or the selector)`,
      );
  }
  return out;
}

/**
 * Probe paths the services answer (libs/messaging): liveness never depends on PostgreSQL or NATS. All on the
 * ops port: with OPS_PORT set, /health answers 404 on the HTTP port, so a probe left there fails every time.
 */
export const PROBES = {
  startupProbe: '/health/live',
  livenessProbe: '/health/live',
  readinessProbe: '/health/ready',
} as const;

export function probeProblems(deployment: K8sObject, name: string): string[] {
  const c = templateOf(deployment)?.spec.containers.find((x) => x.name === 'app');
  if (!c) return [`Deployment ${name}: no container app`];
  const out: string[] = [];
  for (const [probe, path] of Object.entries(PROBES)) {
    const get = (c[probe] as { httpGet?: { path?: string; port?: string | number } } | undefined)?.httpGet;
    if (get?.path !== path || (get.port !== OPS_PORT_NAME && get.port !== OPS_PORT))
      out.push(
        `Deployment ${name}: ${probe} must be GET ${path} on port ${OPS_PORT_NAME} (has ${get ? `${get.path ?? '?'} on port ${get.port ?? '?'}` : 'none'})`,
      );
  }
  return out;
}

/**
 * An overlay that ships no PostgreSQL server of its own reaches one outside the cluster: over TLS that
 * checks the certificate and the host name (node-postgres reads PGSSLMODE; verify-full is its strictest).
 */
export function tlsProblems(objects: K8sObject[]): string[] {
  const inCluster = objects.some((o) =>
    (templateOf(o)?.spec.containers ?? []).some((c) =>
      (c.env ?? []).some((e) => e.name === 'POSTGRES_PASSWORD'),
    ),
  );
  if (inCluster) return [];
  const cm = objects.find(
    (o) =>
      o.kind === 'ConfigMap' &&
      isObject(o.metadata) &&
      String(o.metadata.name).startsWith('union-eyes-ml-config'),
  ) as unknown as { data?: Record<string, string> } | undefined;
  const mode = cm?.data?.PGSSLMODE;
  return mode === 'verify-full'
    ? []
    : [
        `ConfigMap union-eyes-ml-config: PGSSLMODE is ${mode ?? 'unset'}; a database outside the cluster needs verify-full`,
      ];
}

/** The platform's image pinned by digest in the overlays that must be (`registry/name@sha256:<64 hex>`). */
export function imagePinProblems(objects: K8sObject[]): { problems: string[]; placeholders: string[] } {
  const problems: string[] = [];
  const placeholders = new Set<string>();
  for (const o of objects) {
    const t = templateOf(o);
    if (!t) continue;
    for (const image of imagesOf(t).filter((i) => APP_IMAGE.test(i))) {
      if (!DIGEST_IMAGE.test(image))
        problems.push(`${nameOf(o)}: image ${image} is not pinned by digest (registry/name@sha256:...)`);
      else if (PLACEHOLDER.test(image)) placeholders.add(image);
    }
  }
  return { problems, placeholders: [...placeholders] };
}

/** No Namespace among the rendered objects: it is created once, apart (deploy/k8s/namespace.yaml). */
export function namespaceObjectProblems(objects: K8sObject[]): string[] {
  return objects
    .filter((o) => o.kind === 'Namespace')
    .map(
      (o) =>
        `${nameOf(o)}: a Namespace in the output; deleting or pruning the overlay would delete it with the NATS release and its volumes (it lives in deploy/k8s/namespace.yaml)`,
    );
}

/** deploy/k8s/namespace.yaml: the one Namespace, named as the overlays' objects, out of the prune selector. */
export function namespaceFileProblems(text: string, namespace: string): string[] {
  const problems: string[] = [];
  const objects = parseDocuments(text, 'deploy/k8s/namespace.yaml', problems);
  if (objects.length !== 1 || objects[0]!.kind !== 'Namespace')
    return [...problems, 'deploy/k8s/namespace.yaml: must hold exactly one Namespace'];
  const ns = objects[0]!;
  problems.push(...validateObject(ns).map((p) => `deploy/k8s/namespace.yaml: ${p}`));
  if (isObject(ns.metadata) && ns.metadata.name !== namespace)
    problems.push(
      `deploy/k8s/namespace.yaml: named ${String(ns.metadata.name)}; the overlays use ${namespace}`,
    );
  if (labelsOf(ns)['app.kubernetes.io/part-of'])
    problems.push(
      'deploy/k8s/namespace.yaml: no app.kubernetes.io/part-of label (`kubectl apply --prune -l app.kubernetes.io/part-of=...` would select it)',
    );
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// Alerts and dashboard: runbooks, and metrics that exist
// ---------------------------------------------------------------------------------------------------

const NAMESPACE_FILE = 'deploy/k8s/namespace.yaml';
/** The namespace of an overlay's namespaced objects (all in one: checkOverlay). */
const namespaceOf = (objects: K8sObject[]): string =>
  String(objects.map((o) => (isObject(o.metadata) ? o.metadata.namespace : undefined)).find(Boolean) ?? '');

const MONITORING = 'deploy/k8s/components/monitoring';
const RULES_FILE = `${MONITORING}/prometheus-rule.yaml`;
const DASHBOARDS = `${MONITORING}/dashboards`;
const RUNBOOK_DOC = 'docs/operations.md';

/**
 * Metrics the rules and dashboards may use that other exporters provide, not this code: Prometheus's own
 * `up` and kube-state-metrics' (kube-prometheus-stack). Short on purpose: every name here is one this
 * repository's code cannot vouch for.
 */
export const EXTERNAL_METRICS = [
  'up',
  'kube_pod_container_status_restarts_total',
  'kube_pod_container_status_last_terminated_reason',
];

/** GitHub's anchors of a Markdown document: headings (lower case, punctuation dropped, dashes) and <a id>. */
export function markdownAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    if (fence) continue;
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
    const h = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const text = h[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rulesOf = (o: K8sObject): AlertRule[] =>
  ((o.spec as { groups?: { rules?: AlertRule[] }[] } | undefined)?.groups ?? []).flatMap(
    (g) => g.rules ?? [],
  );

/**
 * Every alert has a severity and a runbook_url `<document>#<anchor>`: one absolute document URL for all
 * (docs/operations.md wherever it is published), one anchor per alert, each anchor present in the document.
 */
export function runbookProblems(rules: AlertRule[], anchors: Set<string>): string[] {
  const out: string[] = [];
  const documents = new Set<string>();
  const byAnchor = new Map<string, string>();
  for (const r of rules.filter((x) => x.alert !== undefined)) {
    const at = `alert ${r.alert}`;
    if (!r.labels?.severity) out.push(`${at}: no severity label`);
    const url = r.annotations?.runbook_url;
    const m = url ? /^(https:\/\/[^\s#]+\/docs\/operations\.md)#([^\s#]+)$/.exec(url) : null;
    if (!m) {
      out.push(`${at}: runbook_url must be https://.../${RUNBOOK_DOC}#<anchor> (has ${url ?? 'none'})`);
      continue;
    }
    documents.add(m[1]!);
    const other = byAnchor.get(m[2]!);
    if (other) out.push(`${at}: its runbook anchor #${m[2]} is ${other}'s too (one section per alert)`);
    byAnchor.set(m[2]!, r.alert!);
    if (!anchors.has(m[2]!)) out.push(`${at}: ${RUNBOOK_DOC} has no anchor #${m[2]}`);
  }
  if (documents.size > 1) out.push(`runbook_url: several documents (${show(documents)}); use one`);
  return out;
}

/** Metric names a PromQL expression reads (no parser here: labels, ranges, strings and grouping removed). */
export function promqlMetricNames(expr: string): Set<string> {
  const keywords = new Set([
    'by',
    'without',
    'on',
    'ignoring',
    'group_left',
    'group_right',
    'offset',
    'bool',
  ]);
  keywords.add('and').add('or').add('unless').add('atan2').add('inf').add('nan');
  const stripped = expr
    .replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  // Numbers and durations (5m, 1e3, 0.95) are one token each, so their letters are never names.
  for (const m of stripped.matchAll(/\$?[A-Za-z_:][A-Za-z0-9_:]*|\d[\w.]*/g)) {
    const token = m[0];
    if (/^[\d$]/.test(token) || keywords.has(token)) continue;
    if (/^\s*\(/.test(stripped.slice(m.index + token.length))) continue; // a function or an aggregation
    names.add(token);
  }
  return names;
}

function allSources(root: string): string[] {
  return ['libs', 'apps'].flatMap((d) => sourceFiles(join(root, d)));
}

/**
 * Every metric the code registers, with the series a histogram or summary exposes (_bucket, _sum,
 * _count), plus prom-client's default metrics (collectDefaultMetrics, on every service's registry).
 */
export function knownMetrics(root: string): Set<string> {
  const known = new Set<string>();
  const add = (name: string, type: string) => {
    known.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) known.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) known.add(name + s);
  };
  for (const file of allSources(root)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(
      /new (Counter|Gauge|Histogram|Summary)\b[^(]*\(\s*\{[^}]*?\bname:\s*'([^']+)'/g,
    ))
      add(m[2]!, m[1]!.toLowerCase());
    for (const m of text.matchAll(/\.(counter|gauge|histogram|summary)\(\s*'([a-z_:][a-z0-9_:]*)'/g))
      add(m[2]!, m[1]!);
  }
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  for (const m of defaults.getMetricsAsArray() as unknown as { name: string; type: string }[])
    add(m.name, m.type);
  defaults.clear();
  return known;
}

/** Prometheus queries of a Grafana dashboard (panels, nested rows, variables); SQL targets are not. */
export function dashboardQueries(dashboard: unknown): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  const panels = (list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const p of list) {
      if (!isObject(p)) continue;
      for (const t of Array.isArray(p.targets) ? p.targets : [])
        if (isObject(t) && typeof t.expr === 'string')
          out.push({ where: `panel "${String(p.title)}"`, expr: t.expr });
      panels(p.panels);
    }
  };
  if (isObject(dashboard)) {
    panels(dashboard.panels);
    const vars = isObject(dashboard.templating) ? dashboard.templating.list : undefined;
    for (const v of Array.isArray(vars) ? vars : []) {
      if (!isObject(v) || v.type !== 'query') continue;
      const q = isObject(v.query) ? v.query.query : v.query;
      // label_values(<selector>, <label>): only the selector is a query.
      const lv = typeof q === 'string' ? /^label_values\((.*),\s*\w+\)$/.exec(q.trim()) : null;
      if (typeof q === 'string') out.push({ where: `variable ${String(v.name)}`, expr: lv ? lv[1]! : q });
    }
  }
  return out;
}

export function unknownMetricProblems(
  queries: { where: string; expr: string }[],
  known: Set<string>,
): string[] {
  const out: string[] = [];
  for (const q of queries)
    for (const name of promqlMetricNames(q.expr))
      if (!known.has(name) && !EXTERNAL_METRICS.includes(name))
        out.push(
          `${q.where}: metric ${name} is registered nowhere in libs/ or apps/ (nor a known exporter's)`,
        );
  return out;
}

function checkMonitoring(root: string, problems: string[], notes: string[]): void {
  const known = knownMetrics(root);
  let rules: AlertRule[] = [];
  try {
    const objs = parseDocuments(readFileSync(join(root, RULES_FILE), 'utf8'), RULES_FILE, problems);
    rules = objs.filter((o) => o.kind === 'PrometheusRule').flatMap(rulesOf);
  } catch (err) {
    problems.push(`${RULES_FILE}: ${(err as Error).message}`);
  }
  const anchors = markdownAnchors(readFileSync(join(root, RUNBOOK_DOC), 'utf8'));
  for (const p of runbookProblems(rules, anchors)) problems.push(`${RULES_FILE}: ${p}`);
  const queries = rules.map((r) => ({ where: `${RULES_FILE}: ${r.alert ?? r.record}`, expr: r.expr }));
  const dashboards = existsSync(join(root, DASHBOARDS))
    ? readdirSync(join(root, DASHBOARDS)).filter((f) => f.endsWith('.json'))
    : [];
  for (const f of dashboards) {
    try {
      const d: unknown = JSON.parse(readFileSync(join(root, DASHBOARDS, f), 'utf8'));
      queries.push(...dashboardQueries(d).map((q) => ({ ...q, where: `${DASHBOARDS}/${f}: ${q.where}` })));
    } catch (err) {
      problems.push(`${DASHBOARDS}/${f}: ${(err as Error).message}`);
    }
  }
  problems.push(...unknownMetricProblems(queries, known));
  notes.push(
    `monitoring: ${rules.filter((r) => r.alert).length} alerts with runbooks in ${RUNBOOK_DOC}, ${queries.length} queries (${dashboards.length} dashboard(s)) on known metrics`,
  );
}

// ---------------------------------------------------------------------------------------------------
// Docker Compose, workflows
// ---------------------------------------------------------------------------------------------------

/** Services of docker-compose.yml that talk to NATS and so wait for it to be healthy. */
const COMPOSE_NATS_CLIENTS = [...SERVICES.map((s) => s.name), 'cli'];
const NOTIFIER_URL_IN_COMPOSE = 'http://notifier:3105';

/**
 * docker-compose.yml as it would run: every published port on 127.0.0.1 only (no users on NATS, a known
 * PostgreSQL password), NATS healthy (a healthcheck, and the clients wait for it), the services' OPS_PORT
 * and their healthcheck on its /health/ready, the cli able to reach the notifier; the notifier's and the
 * scheduler's tokens set (long enough for NODE_ENV=production, each its own) and the notifier's sent by the
 * console and the cli.
 */
export function composeProblems(compose: unknown): string[] {
  const out: string[] = [];
  const services = isObject(compose) && isObject(compose.services) ? compose.services : {};
  for (const [name, s] of Object.entries(services)) {
    if (!isObject(s)) continue;
    for (const port of Array.isArray(s.ports) ? s.ports : []) {
      const local = isObject(port)
        ? port.host_ip === '127.0.0.1' || port.published === undefined
        : String(port).startsWith('127.0.0.1:');
      if (!local) out.push(`service ${name}: port ${JSON.stringify(port)} is not bound to 127.0.0.1`);
    }
  }
  const nats = services.nats;
  if (!isObject(nats) || !isObject(nats.healthcheck) || nats.healthcheck.test === undefined)
    out.push('service nats: no healthcheck');
  for (const name of COMPOSE_NATS_CLIENTS) {
    const s = services[name];
    if (!isObject(s)) continue;
    const dep = isObject(s.depends_on) ? s.depends_on.nats : undefined;
    if (!isObject(dep) || dep.condition !== 'service_healthy')
      out.push(`service ${name}: must depend on nats with condition: service_healthy`);
  }
  const envOf = (name: string): JsonObject => {
    const s = services[name];
    return isObject(s) && isObject(s.environment) ? s.environment : {};
  };
  for (const { name } of SERVICES) {
    const s = services[name];
    if (!isObject(s)) continue;
    const test = isObject(s.healthcheck) ? JSON.stringify(s.healthcheck.test ?? '') : '';
    if (!test.includes('/health/ready')) out.push(`service ${name}: its healthcheck must ask /health/ready`);
    // /health answers on OPS_PORT only once it is set: a healthcheck on HTTP_PORT would never turn healthy.
    const ops = envOf(name).OPS_PORT;
    if (String(ops) !== String(OPS_PORT))
      out.push(
        `service ${name}: OPS_PORT must be "${OPS_PORT}" (has ${ops === undefined ? 'none' : JSON.stringify(ops)})`,
      );
    if (!test.includes('OPS_PORT') && !test.includes(`:${OPS_PORT}/`))
      out.push(`service ${name}: its healthcheck must ask OPS_PORT (/health is 404 on HTTP_PORT)`);
  }
  const cli = services.cli;
  const env = isObject(cli) && isObject(cli.environment) ? cli.environment : {};
  if (env.NOTIFIER_URL !== NOTIFIER_URL_IN_COMPOSE)
    out.push(`service cli: NOTIFIER_URL must be ${NOTIFIER_URL_IN_COMPOSE} (ml:ack, ml:recipients)`);
  // The tokens: development values, but ones the services start with, and the notifier's where it is sent.
  const tokens = new Map<string, string>();
  for (const name of TOKEN_SERVICES) {
    if (!isObject(services[name])) continue;
    const senv = envOf(name);
    const token =
      senv.SERVICE_TOKEN === undefined || senv.SERVICE_TOKEN === null ? '' : String(senv.SERVICE_TOKEN);
    const prodMode = String(senv.NODE_ENV ?? IMAGE_NODE_ENV) === 'production';
    if (!token)
      out.push(
        `service ${name}: no SERVICE_TOKEN: its HTTP actions would be open${prodMode ? ', and with NODE_ENV=production it refuses to start' : ''}`,
      );
    else if (prodMode && token.length < TOKEN_MIN_LENGTH)
      out.push(
        `service ${name}: SERVICE_TOKEN: at least ${TOKEN_MIN_LENGTH} characters with NODE_ENV=production, or it refuses to start`,
      );
    const other = [...tokens].find(([, t]) => token && t === token)?.[0];
    if (other) out.push(`service ${name}: SERVICE_TOKEN is the ${other}'s: each service its own`);
    tokens.set(name, token);
  }
  const notifierToken = tokens.get('notifier');
  for (const name of [CONSOLE, 'cli'])
    if (isObject(services[name]) && notifierToken && envOf(name).NOTIFIER_TOKEN !== notifierToken)
      out.push(
        `service ${name}: NOTIFIER_TOKEN must be the notifier's SERVICE_TOKEN, or the notifier answers 401`,
      );
  // The console: the notifier's API, and a sign-in it accepts. Compose has no OIDC issuer: the development
  // sign-in, which the console refuses with NODE_ENV=production (the shared environment's).
  const consoleService = services[CONSOLE];
  if (isObject(consoleService)) {
    const cenv = isObject(consoleService.environment) ? consoleService.environment : {};
    if (cenv.NOTIFIER_URL !== NOTIFIER_URL_IN_COMPOSE)
      out.push(
        `service ${CONSOLE}: NOTIFIER_URL must be ${NOTIFIER_URL_IN_COMPOSE} (acknowledgements, recipients)`,
      );
    const devLogin = String(cenv.CONSOLE_DEV_LOGIN) === 'true';
    const prodMode = String(cenv.NODE_ENV ?? IMAGE_NODE_ENV) === 'production';
    if (devLogin && prodMode)
      out.push(
        `service ${CONSOLE}: CONSOLE_DEV_LOGIN=true with NODE_ENV=production: the console refuses it and exits at start`,
      );
    if (!devLogin && !cenv.OIDC_ISSUER)
      out.push(`service ${CONSOLE}: nobody could sign in: CONSOLE_DEV_LOGIN=true (or the OIDC_* settings)`);
  }
  return out.map((p) => `docker-compose.yml: ${p}`);
}

function checkCompose(root: string, useBinary: boolean, problems: string[], notes: string[]): void {
  const file = join(root, 'docker-compose.yml');
  if (useBinary && onPath('docker-compose')) {
    const r = spawnSync('docker-compose', ['-f', file, 'config', '-q'], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) problems.push(`docker-compose config: ${(r.stderr || r.stdout).trim()}`);
    else notes.push('docker-compose config -q: valid');
  } else {
    notes.push('docker-compose not installed: `docker-compose config` skipped');
  }
  let compose: unknown;
  try {
    compose = parseYaml(readFileSync(file, 'utf8'), { merge: true });
  } catch (err) {
    problems.push(`docker-compose.yml: ${(err as Error).message}`);
    return;
  }
  problems.push(...composeProblems(compose));
  const services = isObject(compose) && isObject(compose.services) ? compose.services : {};
  for (const name of ['migrate', PROVISION_JOB, 'cli'])
    if (!services[name]) problems.push(`docker-compose.yml: no service ${name}`);
  const provision = services[PROVISION_JOB];
  if (isObject(provision) && JSON.stringify(provision.command) !== JSON.stringify(['cli', 'nats:provision']))
    problems.push(`docker-compose.yml: ${PROVISION_JOB} must run ["cli", "nats:provision"]`);
  // The services and the CLI only check the streams: they start once provisioning has succeeded.
  for (const name of [...SERVICES.map((x) => x.name), 'cli']) {
    const s = services[name];
    const dep = isObject(s) && isObject(s.depends_on) ? s.depends_on[PROVISION_JOB] : undefined;
    if (isObject(s) && !(isObject(dep) && dep.condition === 'service_completed_successfully'))
      problems.push(
        `docker-compose.yml: ${name} must depend on ${PROVISION_JOB} (condition: service_completed_successfully)`,
      );
  }
  for (const { name, port } of SERVICES) {
    const s = services[name];
    if (!isObject(s)) {
      problems.push(`docker-compose.yml: no service ${name}`);
      continue;
    }
    const command = Array.isArray(s.command) ? s.command[0] : s.command;
    if (command !== name) problems.push(`docker-compose.yml: service ${name} must run \`${name}\``);
    const env = isObject(s.environment) ? s.environment : {};
    if (String(env.HTTP_PORT) !== String(port))
      problems.push(`docker-compose.yml: ${name} HTTP_PORT must be ${port}`);
  }
}

/**
 * The image runs every service: deploy/docker/entrypoint.sh starts each one by name, `npm run build` (the
 * Dockerfile's build stage) builds the console's web UI too, and the runtime stage copies the build's dist/
 * (the apps and dist/console-web).
 */
export function imageProblems(dockerfile: string, entrypoint: string, buildScript: string): string[] {
  const out: string[] = [];
  // The case branch that ends in `run_app "$app"`: `scheduler | drift-monitor | ... | cli)`.
  const branch = /^\s*([\w|\s-]+)\)\s*\n\s*run_app "\$app"/m.exec(entrypoint)?.[1];
  const apps = new Set((branch ?? '').split('|').map((x) => x.trim()));
  for (const { name } of SERVICES)
    if (!apps.has(name))
      out.push(`deploy/docker/entrypoint.sh: does not start ${name} (its case branch of run_app)`);
  if (!/\bbuild:web\b/.test(buildScript))
    out.push("package.json: `npm run build` does not build the console's web UI (npm run build:web)");
  if (!/^RUN npm run build\b/m.test(dockerfile))
    out.push('Dockerfile: the build stage must RUN npm run build');
  if (!/^COPY --from=build \/app\/dist \.\/dist$/m.test(dockerfile))
    out.push(
      "Dockerfile: the runtime stage must COPY --from=build /app/dist ./dist (the apps and the console's web UI)",
    );
  return out;
}

function checkImage(root: string, problems: string[], notes: string[]): void {
  const pkg: unknown = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const build = isObject(pkg) && isObject(pkg.scripts) ? String(pkg.scripts.build ?? '') : '';
  const found = imageProblems(
    readFileSync(join(root, 'Dockerfile'), 'utf8'),
    readFileSync(join(root, 'deploy/docker/entrypoint.sh'), 'utf8'),
    build,
  );
  problems.push(...found);
  if (found.length === 0)
    notes.push(
      `image: the entrypoint starts all ${SERVICES.length} services; the build includes the console's web UI`,
    );
}

/**
 * One set of Node versions: the image's (Dockerfile's NODE_IMAGE) is one of package.json's `engines`, and
 * the CI workflow's matrix tests exactly the major versions `engines` admits.
 */
export function nodeVersionProblems(dockerfile: string, engines: string, workflow: unknown): string[] {
  const out: string[] = [];
  const image = /^ARG NODE_IMAGE=node:(\d+)/m.exec(dockerfile)?.[1];
  // "^20.11.0 || ^22.11.0 || ^24.0.0": the first number of each alternative.
  const admitted = new Set(engines.split('||').map((alt) => /\d+/.exec(alt)?.[0] ?? '?'));
  if (!image) out.push('Dockerfile: no ARG NODE_IMAGE=node:<major>...');
  else if (!admitted.has(image)) out.push(`Dockerfile: Node ${image} is not in engines (${engines})`);
  const jobs = isObject(workflow) && isObject(workflow.jobs) ? Object.values(workflow.jobs) : [];
  const tested = new Set(
    jobs.flatMap((j) => {
      const m =
        isObject(j) && isObject(j.strategy) && isObject(j.strategy.matrix) ? j.strategy.matrix.node : [];
      return Array.isArray(m) ? m.map(String) : [];
    }),
  );
  if (!sameSet(tested, admitted))
    out.push(`${CI_WORKFLOW}: its matrix tests Node ${show(tested)}; engines admits ${show(admitted)}`);
  return out;
}

const CI_WORKFLOW = '.github/workflows/ci.yml';

function checkNodeVersions(root: string, problems: string[], notes: string[]): void {
  const pkg: unknown = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const engines = isObject(pkg) && isObject(pkg.engines) ? String(pkg.engines.node) : '';
  const ci = join(root, CI_WORKFLOW);
  const workflow: unknown = existsSync(ci) ? parseYaml(readFileSync(ci, 'utf8')) : undefined;
  const found = nodeVersionProblems(readFileSync(join(root, 'Dockerfile'), 'utf8'), engines, workflow);
  problems.push(...found);
  if (found.length === 0) notes.push(`Node: image, engines (${engines}) and CI agree`);
}

function checkWorkflows(root: string, problems: string[], notes: string[]): void {
  const dir = join(root, '.github/workflows');
  if (!existsSync(dir)) return;
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  for (const f of files) {
    try {
      const w: unknown = parseYaml(readFileSync(join(dir, f), 'utf8'));
      if (!isObject(w) || w.on === undefined || !isObject(w.jobs))
        problems.push(`.github/workflows/${f}: needs on: and jobs:`);
    } catch (err) {
      problems.push(`.github/workflows/${f}: ${(err as Error).message}`);
    }
  }
  notes.push(`workflows: ${files.length} parsed`);
}

// ---------------------------------------------------------------------------------------------------

/** Renders one overlay with kubectl (kustomize built in). */
export function renderOverlay(root: string, overlay: string): string {
  return execFileSync('kubectl', ['kustomize', join(root, 'deploy/k8s/overlays', overlay)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 32 * 1024 * 1024,
  });
}

/** Every check; `problems` is empty when all pass (lines starting with `note:` are not problems). */
export function checkDeploy(options: CheckOptions = {}): CheckReport {
  const root = options.root ?? findRoot(__dirname);
  const problems: string[] = [];
  const notes: string[] = [];
  const overlays =
    options.overlays ??
    readdirSync(join(root, 'deploy/k8s/overlays')).filter((d) =>
      statSync(join(root, 'deploy/k8s/overlays', d)).isDirectory(),
    );
  const namespaces = new Set<string>();
  if (!onPath('kubectl')) problems.push('kubectl is not installed: cannot render the kustomize overlays');
  else {
    for (const overlay of overlays) {
      let text: string;
      try {
        text = renderOverlay(root, overlay);
      } catch (err) {
        const stderr = (err as { stderr?: string }).stderr ?? (err as Error).message;
        problems.push(`overlay ${overlay}: kubectl kustomize failed: ${stderr.trim()}`);
        continue;
      }
      const objects = parseDocuments(text, `overlay ${overlay}`, problems);
      for (const o of objects) for (const m of validateObject(o)) problems.push(`overlay ${overlay}: ${m}`);
      checkOverlay(overlay, objects, problems, root);
      namespaces.add(namespaceOf(objects));
      notes.push(`overlay ${overlay}: ${objects.length} objects rendered and validated`);
    }
  }
  for (const ns of namespaces) {
    const file = join(root, NAMESPACE_FILE);
    if (!existsSync(file)) problems.push(`${NAMESPACE_FILE} is missing: the namespace is created from it`);
    else problems.push(...namespaceFileProblems(readFileSync(file, 'utf8'), ns));
  }
  checkMonitoring(root, problems, notes);
  checkOwnership(problems, notes);
  checkNatsValues(root, problems, notes);
  checkCompose(root, options.composeBinary ?? true, problems, notes);
  checkWorkflows(root, problems, notes);
  checkNodeVersions(root, problems, notes);
  checkImage(root, problems, notes);
  const informational = problems.filter((x) => x.startsWith('note: '));
  return {
    problems: problems.filter((x) => !x.startsWith('note: ')),
    notes: [...notes, ...informational.map((x) => x.slice('note: '.length))],
  };
}

if (require.main === module) {
  const report = checkDeploy();
  for (const n of report.notes) process.stdout.write(`ok    ${n}\n`);
  for (const p of report.problems) process.stdout.write(`FAIL  ${p}\n`);
  process.stdout.write(
    report.problems.length === 0
      ? 'deploy check passed\n'
      : `deploy check failed: ${report.problems.length} problem(s)\n`,
  );
  process.exitCode = report.problems.length === 0 ? 0 : 1;
}
