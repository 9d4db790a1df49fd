import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  autoscalerProblems,
  checkDeploy,
  claimsAppIngressProblems,
  checkNatsValuesObject,
  checkProvisionJob,
  composeProblems,
  consoleProblems,
  dashboardQueries,
  imagePinProblems,
  imageProblems,
  knownMetrics,
  labelProblems,
  markdownAnchors,
  monitoringCoverageProblems,
  namespaceFileProblems,
  namespaceObjectProblems,
  natsPublishAllow,
  ownershipProblems,
  nodeVersionProblems,
  opsPortProblems,
  parseDocuments,
  probeProblems,
  promqlMetricNames,
  readNatsValues,
  renderOverlay,
  runbookProblems,
  selects,
  serviceTokenProblems,
  spreadProblems,
  subjectsOf,
  tlsProblems,
  unknownMetricProblems,
  validateObject,
} from '../../../../scripts/check-deploy';
import type { JsonObject, K8sObject, NatsUser } from '../../../../scripts/check-deploy';

// The same checks as `node dist/scripts/check-deploy.js`, in-process.
// Rendering needs kubectl (kustomize built in); without it those tests are skipped and say so.

const root = resolve(__dirname, '../../../..');
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).error === undefined;
const withKubectl = hasKubectl ? it : it.skip;
if (!hasKubectl)
  process.stderr.write('deploy-manifests.spec: kubectl not installed, rendering tests skipped\n');

/** A small, valid Deployment. */
function deployment(): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'trainer', labels: { 'app.kubernetes.io/name': 'trainer' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'trainer' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'trainer' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'union-eyes-ml:0.1.0',
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: 3103 }],
              resources: { limits: { cpu: '2', memory: '2Gi' } },
            },
          ],
        },
      },
    },
  };
}

type Mutable = { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };

describe('deploy manifests', () => {
  withKubectl(
    'every overlay renders, validates and passes the cross-checks; NATS values and Compose too',
    () => {
      const report = checkDeploy({ root });
      expect(report.problems).toEqual([]);
      expect(report.notes.join('\n')).toMatch(/overlay dev: \d+ objects/);
      expect(report.notes.join('\n')).toMatch(/overlay prod: \d+ objects/);
    },
  );

  it('accepts a valid Deployment', () => {
    expect(validateObject(deployment())).toEqual([]);
  });

  it('catches a misspelt field that the Kubernetes schemas alone let through', () => {
    const d = deployment() as K8sObject & Mutable;
    d.spec.template.spec.containers[0]!.imagePullPolicyy = 'Always';
    expect(validateObject(d)).toEqual([
      'Deployment/trainer /spec/template/spec/containers/0/imagePullPolicyy: unknown field',
    ]);
  });

  it('reports schema errors with their path, and kinds it has no schema for', () => {
    const d = deployment() as K8sObject & Mutable;
    d.spec.template.spec.containers[0]!.ports = [{ name: 'http', containerPort: '3103' }];
    expect(validateObject(d)).toEqual([
      'Deployment/trainer /spec/template/spec/containers/0/ports/0/containerPort: must be integer',
    ]);
    expect(validateObject({ apiVersion: 'v1', kind: 'Frobnicator', metadata: { name: 'x' } })).toEqual([
      'Frobnicator/x: no schema for v1 Frobnicator',
    ]);
  });

  it('allows any key in free-form maps (labels, resources) but not beside them', () => {
    const d = deployment() as K8sObject & Mutable & { metadata: Record<string, unknown> };
    d.metadata.labels = { 'app.kubernetes.io/name': 'trainer', anything: 'goes' };
    expect(validateObject(d)).toEqual([]);
    d.metadata.labelz = {};
    expect(validateObject(d)).toEqual(['Deployment/trainer /metadata/labelz: unknown field']);
  });

  withKubectl('catches the misspelt field in a rendered overlay object', () => {
    const problems: string[] = [];
    const objects = parseDocuments(renderOverlay(root, 'prod'), 'prod', problems);
    expect(problems).toEqual([]);
    const trainer = objects.find(
      (o) => o.kind === 'Deployment' && (o.metadata as { name: string }).name === 'trainer',
    ) as K8sObject & Mutable;
    expect(validateObject(trainer)).toEqual([]);
    trainer.spec.template.spec.containers[0]!.imagePullPolicyy = 'Always';
    expect(validateObject(trainer)).toContain(
      'Deployment/trainer /spec/template/spec/containers/0/imagePullPolicyy: unknown field',
    );
  });

  it('checks the Prometheus Operator objects against its own schema', () => {
    const rule: K8sObject = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'r' },
      spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0', forr: '5m' }] }] },
    };
    expect(validateObject(rule)).toEqual(['PrometheusRule/r /spec/groups/0/rules/0/forr: unknown field']);
    const groups = (rule.spec as { groups: { rules: Record<string, string>[] }[] }).groups;
    groups[0]!.rules[0] = { alert: 'A', expr: 'sum(up' };
    expect(validateObject(rule)).toEqual(["PrometheusRule/r /spec/groups/0/rules/0/expr: unclosed '('"]);
  });

  it('matches label selectors like the API server', () => {
    const labels = { 'app.kubernetes.io/name': 'trainer' };
    expect(selects({}, labels)).toBe(true);
    expect(selects({ matchLabels: { 'app.kubernetes.io/name': 'notifier' } }, labels)).toBe(false);
    expect(
      selects(
        { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['trainer'] }] },
        labels,
      ),
    ).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, labels)).toBe(true);
  });

  it('derives each NATS user permissions from the declared routes', () => {
    const trainer = subjectsOf('trainer');
    expect([...trainer.consumes].sort()).toEqual(['drift.detected']);
    expect([...trainer.publishes].sort()).toEqual(['model.trained', 'training.failed']);
    // drift.checked (an episode that opens awaiting labels), drift.detected, training.failed, model.validated,
    // model.deployed, model.challenger.decided, seed.completed, seed.failed.
    expect(subjectsOf('notifier').consumes.size).toBe(8);
    expect([...subjectsOf('cli').publishes].sort()).toEqual([
      'drift.check.requested',
      'model.rollback.requested',
      'seed.requested',
    ]);
    const allow = natsPublishAllow('trainer', trainer.publishes, trainer.consumes);
    expect(allow).toEqual(
      expect.arrayContaining([
        'model.trained',
        'dlq.trainer__drift_detected',
        '$JS.API.CONSUMER.CREATE.UE_EVENTS.trainer__drift_detected.drift.detected',
        '$JS.API.CONSUMER.MSG.NEXT.UE_EVENTS.trainer__drift_detected',
        '$JS.ACK.UE_EVENTS.trainer__drift_detected.>',
      ]),
    );
    expect(allow.some((x) => x.includes('retrain'))).toBe(false);
    expect(allow).not.toContain('$JS.API.STREAM.DELETE.UE_EVENTS');
    // Services only check the streams; creating and changing them is the provisioner's.
    expect(allow).toEqual(
      expect.arrayContaining(['$JS.API.STREAM.INFO.UE_EVENTS', '$JS.API.STREAM.INFO.UE_DLQ']),
    );
    expect(allow.filter((x) => /^\$JS\.API\.STREAM\.(CREATE|UPDATE)\./.test(x))).toEqual([]);
  });

  it('finds one writer per table in the table-to-owner map', () => {
    expect(ownershipProblems()).toEqual([]);
  });

  describe('who may create and update the streams (deploy/nats/values.yaml)', () => {
    /** The problems of values.yaml after `change` is applied to its users. */
    const problemsWith = (change: (users: NatsUser[]) => void): string[] => {
      const values = structuredClone(readNatsValues(root));
      const users = (values.config as JsonObject).merge as JsonObject;
      change((users.authorization as JsonObject).users as unknown as NatsUser[]);
      const problems: string[] = [];
      checkNatsValuesObject(values, problems, []);
      return problems;
    };
    const user = (users: NatsUser[], name: string) => users.find((u) => u.user === name)!;

    it('passes as deployed: ue-provisioner only', () => {
      expect(problemsWith(() => undefined)).toEqual([]);
    });

    it('fails when a user may publish a subject its routes do not give it', () => {
      expect(
        problemsWith((users) => {
          user(users, 'ue-cli').permissions!.publish!.allow!.push('model.deployed');
          user(users, 'ue-trainer').permissions!.publish!.allow!.push('retrain.requested');
        }),
      ).toEqual([
        'deploy/nats/values.yaml: user ue-trainer may publish retrain.requested (more than ROUTES says it needs)',
        'deploy/nats/values.yaml: user ue-cli may publish model.deployed (ROUTES: not a request the cli makes)',
      ]);
    });

    it('fails when the CLI or a service may change a stream, even through a wildcard', () => {
      expect(
        problemsWith((users) =>
          user(users, 'ue-cli').permissions!.publish!.allow!.push('$JS.API.STREAM.UPDATE.UE_EVENTS'),
        ),
      ).toEqual([
        'deploy/nats/values.yaml: user ue-cli may publish $JS.API.STREAM.UPDATE.UE_EVENTS: only ue-provisioner creates or updates the streams',
      ]);
      expect(
        problemsWith((users) => user(users, 'ue-cli').permissions!.publish!.allow!.push('$JS.API.>')),
      ).toEqual([
        'deploy/nats/values.yaml: user ue-cli may publish $JS.API.STREAM.CREATE.UE_EVENTS, $JS.API.STREAM.CREATE.UE_DLQ, $JS.API.STREAM.UPDATE.UE_EVENTS, $JS.API.STREAM.UPDATE.UE_DLQ: only ue-provisioner creates or updates the streams',
      ]);
      expect(
        problemsWith((users) =>
          user(users, 'ue-trainer').permissions!.publish!.allow!.push('$JS.API.STREAM.CREATE.UE_DLQ'),
        ),
      ).toEqual([
        'deploy/nats/values.yaml: user ue-trainer may publish $JS.API.STREAM.CREATE.UE_DLQ (more than ROUTES says it needs)',
        'deploy/nats/values.yaml: user ue-trainer may publish $JS.API.STREAM.CREATE.UE_DLQ: only ue-provisioner creates or updates the streams',
      ]);
    });

    it('fails when the provisioner may do more, or is missing, or an unknown user appears', () => {
      expect(
        problemsWith((users) =>
          user(users, 'ue-provisioner').permissions!.publish!.allow!.push('drift.check.requested'),
        ),
      ).toEqual([
        'deploy/nats/values.yaml: user ue-provisioner: publish must be exactly $JS.API.INFO, $JS.API.STREAM.CREATE.UE_DLQ, $JS.API.STREAM.CREATE.UE_EVENTS, $JS.API.STREAM.INFO.UE_DLQ, $JS.API.STREAM.INFO.UE_EVENTS, $JS.API.STREAM.UPDATE.UE_DLQ, $JS.API.STREAM.UPDATE.UE_EVENTS',
      ]);
      expect(problemsWith((users) => users.splice(users.indexOf(user(users, 'ue-provisioner')), 1))).toEqual([
        'deploy/nats/values.yaml: no NATS user ue-provisioner (the nats-provision Job)',
      ]);
      expect(
        problemsWith((users) =>
          users.push({
            user: 'ue-ops',
            password: '<< $UE_OPS_PASSWORD >>',
            permissions: { publish: { allow: ['>'] } },
          }),
        ),
      ).toEqual([
        'deploy/nats/values.yaml: user ue-ops: unknown (not a service, ue-cli, ue-claims-app, ue-provisioner or ue-admin)',
        'deploy/nats/values.yaml: user ue-ops may publish $JS.API.STREAM.CREATE.UE_EVENTS, $JS.API.STREAM.CREATE.UE_DLQ, $JS.API.STREAM.UPDATE.UE_EVENTS, $JS.API.STREAM.UPDATE.UE_DLQ: only ue-provisioner creates or updates the streams',
      ]);
    });
  });

  describe("the claims application's NATS user (deploy/nats/values.yaml)", () => {
    const problemsWith = (change: (claimsApp: NatsUser, users: NatsUser[]) => void): string[] => {
      const values = structuredClone(readNatsValues(root));
      const merge = (values.config as JsonObject).merge as JsonObject;
      const users = (merge.authorization as JsonObject).users as unknown as NatsUser[];
      change(
        users.find((u) => u.user === 'ue-claims-app')!,
        users,
      );
      const problems: string[] = [];
      checkNatsValuesObject(values, problems, []);
      return problems;
    };

    it('publishes claim.filed and claim.resolved, reads the streams, receives claim.scored: nothing more', () => {
      expect([...subjectsOf('claims-app').publishes]).toEqual(['claim.filed', 'claim.resolved']);
      expect(subjectsOf('claims-app').consumes.size).toBe(0);
      expect(problemsWith(() => undefined)).toEqual([]);
      expect(
        problemsWith((u) => {
          u.permissions!.publish!.allow!.push('claim.scored');
          u.permissions!.subscribe!.allow!.push('model.deployed');
        }),
      ).toEqual([
        'deploy/nats/values.yaml: user ue-claims-app: publish must be exactly $JS.API.INFO, $JS.API.STREAM.INFO.UE_DLQ, $JS.API.STREAM.INFO.UE_EVENTS, claim.filed, claim.resolved',
        'deploy/nats/values.yaml: user ue-claims-app: subscribe must be exactly _INBOX.>, claim.scored',
      ]);
      expect(problemsWith((u, users) => users.splice(users.indexOf(u), 1))).toEqual([
        'deploy/nats/values.yaml: no NATS user ue-claims-app (the claims application)',
      ]);
    });

    it("denies the CLI the scorer's durable consumers", () => {
      expect(
        problemsWith((_, users) => {
          const cli = users.find((u) => u.user === 'ue-cli')!;
          cli.permissions!.publish!.deny = cli.permissions!.publish!.deny!.filter(
            (d) => !d.endsWith('scorer__claim_filed'),
          );
        }),
      ).toEqual([
        "deploy/nats/values.yaml: user ue-cli must be denied $JS.API.CONSUMER.CREATE.UE_EVENTS.scorer__claim_filed, $JS.API.CONSUMER.MSG.NEXT.UE_EVENTS.scorer__claim_filed (a service's durable consumer)",
      ]);
    });
  });

  describe('the nats-provision Job', () => {
    type Env = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
    type Pod = { spec: { template: { spec: { containers: { args?: string[]; env?: Env[] }[] } } } };
    /** The problems of the rendered prod overlay's Job after `change`. */
    const problemsWith = (change: (objects: K8sObject[], job: Pod) => void): string[] => {
      const objects = parseDocuments(renderOverlay(root, 'prod'), 'prod', []);
      const job = objects.find(
        (o) => o.kind === 'Job' && (o.metadata as { name: string }).name === 'nats-provision',
      ) as unknown as Pod;
      change(objects, job);
      const problems: string[] = [];
      checkProvisionJob('prod', objects, problems);
      return problems.filter((x) => !x.startsWith('note: '));
    };
    const env = (job: Pod) => job.spec.template.spec.containers[0]!.env!;

    withKubectl('runs nats:provision as ue-provisioner with its own key, DNS and NATS only', () => {
      expect(problemsWith(() => undefined)).toEqual([]);
    });

    withKubectl(
      'fails on another user, another key, a second key, or a standing --allow-fewer-replicas',
      () => {
        expect(
          problemsWith((_, job) => (env(job).find((e) => e.name === 'NATS_USER')!.value = 'ue-admin')),
        ).toEqual(['overlay prod: Job nats-provision: NATS_USER must be ue-provisioner']);
        expect(
          problemsWith(
            (_, job) =>
              (env(job).find((e) => e.name === 'NATS_PASSWORD')!.valueFrom!.secretKeyRef!.key =
                'UE_ADMIN_PASSWORD'),
          ),
        ).toEqual([
          'overlay prod: Job nats-provision: NATS_PASSWORD must come from Secret union-eyes-ml-nats-auth key UE_PROVISIONER_PASSWORD',
        ]);
        expect(
          problemsWith((_, job) =>
            env(job).push({
              name: 'DB_PASSWORD',
              valueFrom: { secretKeyRef: { name: 'union-eyes-ml-db', key: 'UE_DB_OWNER_PASSWORD' } },
            }),
          ),
        ).toEqual([
          'overlay prod: Job nats-provision: reads union-eyes-ml-db/UE_DB_OWNER_PASSWORD, union-eyes-ml-nats-auth/UE_PROVISIONER_PASSWORD; only its own password key (union-eyes-ml-nats-auth/UE_PROVISIONER_PASSWORD)',
        ]);
        expect(
          problemsWith((_, job) =>
            job.spec.template.spec.containers[0]!.args!.push('--allow-fewer-replicas'),
          ),
        ).toEqual([
          'overlay prod: Job nats-provision: args must be ["cli", "nats:provision"] (got ["cli","nats:provision","--allow-fewer-replicas"]; --allow-fewer-replicas is for a deliberate one-off run)',
        ]);
      },
    );

    withKubectl("fails when a service holds the provisioner's password, or the Job cannot reach NATS", () => {
      expect(
        problemsWith((objects) => {
          const trainer = objects.find(
            (o) => o.kind === 'Deployment' && (o.metadata as { name: string }).name === 'trainer',
          ) as unknown as Pod;
          env(trainer).find((e) => e.name === 'NATS_PASSWORD')!.valueFrom!.secretKeyRef!.key =
            'UE_PROVISIONER_PASSWORD';
        }),
      ).toEqual([
        'overlay prod: Deployment trainer/app reads UE_PROVISIONER_PASSWORD: only Job nats-provision may',
      ]);
      expect(
        problemsWith((objects) =>
          objects.splice(
            objects.findIndex((o) => (o.metadata as { name: string }).name === 'ue-nats-provision-egress'),
            1,
          ),
        ),
      ).toEqual([
        'overlay prod: Job nats-provision: egress allows TCP/53, UDP/53; want TCP/4222, TCP/53, UDP/53',
      ]);
    });
  });

  describe('as it ships (each rule passes on the repository and fails on a bad input)', () => {
    const rendered = new Map<string, K8sObject[]>();
    /** A fresh copy of an overlay's rendered objects, to break. */
    const overlay = (name: string): K8sObject[] => {
      if (!rendered.has(name)) {
        const problems: string[] = [];
        rendered.set(name, parseDocuments(renderOverlay(root, name), name, problems));
        expect(problems).toEqual([]);
      }
      return structuredClone(rendered.get(name)!);
    };
    const find = (objects: K8sObject[], kind: string, name: string) =>
      objects.find((o) => o.kind === kind && (o.metadata as { name: string }).name.startsWith(name))!;
    type Pod = {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
      spec: { containers: Record<string, unknown>[]; topologySpreadConstraints: Record<string, unknown>[] };
    };
    const podOf = (o: K8sObject) => (o.spec as { template: Pod }).template;
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string })
      .version;

    withKubectl('recommended labels on every object and pod template', () => {
      for (const name of ['dev', 'prod']) expect(labelProblems(overlay(name), version)).toEqual([]);
      const objects = overlay('prod');
      delete (find(objects, 'NetworkPolicy', 'default-deny-all').metadata as JsonObject).labels;
      delete podOf(find(objects, 'Deployment', 'trainer')).metadata.labels['app.kubernetes.io/component'];
      podOf(find(objects, 'Job', 'migrate')).metadata.labels['app.kubernetes.io/version'] = '0.0.1';
      const cm = find(objects, 'ConfigMap', 'union-eyes-ml-config').metadata as {
        labels: Record<string, string>;
      };
      cm.labels['app.kubernetes.io/part-of'] = 'someone-else';
      expect(labelProblems(objects, version)).toEqual([
        expect.stringMatching(/^ConfigMap\/union-eyes-ml-config-\w+: app.kubernetes.io\/part-of must be/),
        'Deployment/trainer pod template: no label app.kubernetes.io/component',
        `Job/migrate pod template: app.kubernetes.io/version 0.0.1, but package.json says ${version}`,
        'NetworkPolicy/default-deny-all: no label app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/version, app.kubernetes.io/component, app.kubernetes.io/part-of, app.kubernetes.io/managed-by',
      ]);
      // Dev's PostgreSQL runs another image: its version is its own.
      expect(labelProblems(overlay('dev'), version).filter((p) => p.includes('postgres'))).toEqual([]);
    });

    withKubectl('each service spread over nodes and zones, counting its own pods only', () => {
      const objects = overlay('prod');
      for (const s of [
        'scheduler',
        'drift-monitor',
        'trainer',
        'validator',
        'notifier',
        'seeder',
        'scorer',
        'console',
      ])
        expect(spreadProblems(find(objects, 'Deployment', s), s)).toEqual([]);
      const trainer = find(objects, 'Deployment', 'trainer');
      const constraints = podOf(trainer).spec.topologySpreadConstraints;
      constraints.pop(); // the zone
      delete constraints[0]!.matchLabelKeys; // now all platform pods together
      expect(spreadProblems(trainer, 'trainer')).toEqual([
        "Deployment trainer: the spread over kubernetes.io/hostname counts other services' pods (add app.kubernetes.io/name to matchLabelKeys or the selector)",
        'Deployment trainer: no topologySpreadConstraint over topology.kubernetes.io/zone',
      ]);
      constraints[0]!.labelSelector = { matchLabels: { 'app.kubernetes.io/name': 'notifier' } };
      expect(spreadProblems(trainer, 'trainer')[0]).toBe(
        'Deployment trainer: the spread over kubernetes.io/hostname does not select its own pods',
      );
    });

    withKubectl('liveness on /health/live, readiness on /health/ready, both on the ops port', () => {
      const objects = overlay('prod');
      expect(probeProblems(find(objects, 'Deployment', 'validator'), 'validator')).toEqual([]);
      const app = podOf(find(objects, 'Deployment', 'validator')).spec.containers[0]!;
      app.livenessProbe = { httpGet: { path: '/health/ready', port: 'ops' } };
      delete app.readinessProbe;
      // Left on the service's port: /health is 404 there once OPS_PORT is set, the probe would always fail.
      app.startupProbe = { httpGet: { path: '/health/live', port: 'http' } };
      expect(probeProblems(find(objects, 'Deployment', 'validator'), 'validator')).toEqual([
        'Deployment validator: startupProbe must be GET /health/live on port ops (has /health/live on port http)',
        'Deployment validator: livenessProbe must be GET /health/live on port ops (has /health/ready on port ops)',
        'Deployment validator: readinessProbe must be GET /health/ready on port ops (has none)',
      ]);
      // By number is the same port.
      app.startupProbe = { httpGet: { path: '/health/live', port: 9464 } };
      app.livenessProbe = { httpGet: { path: '/health/live', port: 3104 } };
      app.readinessProbe = { httpGet: { path: '/health/ready', port: 'ops' } };
      expect(probeProblems(find(objects, 'Deployment', 'validator'), 'validator')).toEqual([
        'Deployment validator: livenessProbe must be GET /health/live on port ops (has /health/live on port 3104)',
      ]);
    });

    withKubectl('/health and /metrics on the ops port: OPS_PORT, the scrape annotation, the policies', () => {
      for (const name of ['dev', 'prod']) expect(opsPortProblems(overlay(name))).toEqual([]);
      const objects = overlay('prod');
      const trainer = podOf(find(objects, 'Deployment', 'trainer'));
      const app = trainer.spec.containers[0] as { env: { name: string; value?: string }[] };
      app.env = app.env.filter((e) => e.name !== 'OPS_PORT');
      trainer.metadata.annotations!['prometheus.io/port'] = '3103';
      const ports = podOf(find(objects, 'Deployment', 'scorer')).spec.containers[0]!.ports as {
        name: string;
        containerPort: number;
      }[];
      ports.find((x) => x.name === 'ops')!.containerPort = 9465;
      // Prometheus let in on the notifier's HTTP port with its callers: it could call the actions.
      const notifierPolicy = find(objects, 'NetworkPolicy', 'ue-notifier-ingress').spec as {
        ingress: { ports: { protocol: string; port: number }[] }[];
      };
      notifierPolicy.ingress[0]!.ports.push({ protocol: 'TCP', port: 9464 });
      expect(opsPortProblems(objects)).toEqual([
        'Deployment trainer: OPS_PORT must be "9464" (has none): without it /health and /metrics stay on port 3103, not where the probes and Prometheus ask',
        'Deployment trainer: annotation prometheus.io/port must be "9464" (annotation-based scraping would try port 3103, where /metrics is 404)',
        "NetworkPolicy ue-notifier-ingress: one rule admits the same peers to notifier's HTTP port and ops port; Prometheus wants the ops port only, the callers of its actions the HTTP port only",
        'Deployment scorer: container port ops must be 9464 (has 9465)',
      ]);
    });

    withKubectl('TLS with verify-full to a database outside the cluster', () => {
      expect(tlsProblems(overlay('prod'))).toEqual([]);
      expect(tlsProblems(overlay('dev'))).toEqual([]); // its own in-cluster PostgreSQL
      const objects = overlay('prod');
      (find(objects, 'ConfigMap', 'union-eyes-ml-config').data as Record<string, string>).PGSSLMODE =
        'require';
      expect(tlsProblems(objects)).toEqual([
        'ConfigMap union-eyes-ml-config: PGSSLMODE is require; a database outside the cluster needs verify-full',
      ]);
    });

    withKubectl("the scorer's replicas follow a CPU autoscaler in prod, and its budget follows them", () => {
      expect(autoscalerProblems('prod', overlay('prod'))).toEqual([]);
      expect(autoscalerProblems('dev', overlay('dev'))).toEqual([]);
      const scorer = (objects: K8sObject[]) => find(objects, 'Deployment', 'scorer').spec as JsonObject;
      expect(scorer(overlay('prod')).replicas).toBeUndefined();
      expect(scorer(overlay('dev')).replicas).toBe(1);

      let objects = overlay('prod');
      scorer(objects).replicas = 2;
      const hpa = find(objects, 'HorizontalPodAutoscaler', 'scorer').spec as JsonObject;
      hpa.minReplicas = 1;
      hpa.metrics = [
        {
          type: 'Resource',
          resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } },
        },
      ];
      delete (podOf(find(objects, 'Deployment', 'scorer')).spec.containers[0]!.resources as JsonObject)
        .requests;
      expect(autoscalerProblems('prod', objects)).toEqual([
        'Deployment scorer: replicas: 2 would reset the autoscaler at every apply; leave them to HorizontalPodAutoscaler scorer',
        'HorizontalPodAutoscaler scorer: minReplicas 1; at least 2, so that a drain leaves one replica scoring',
        'HorizontalPodAutoscaler scorer: scale on CPU utilization (metrics: Resource cpu, target Utilization)',
        'Deployment scorer: every container needs a CPU request for HorizontalPodAutoscaler scorer to measure utilization',
      ]);

      objects = overlay('prod').filter((o) => o.kind !== 'HorizontalPodAutoscaler');
      expect(autoscalerProblems('prod', objects)).toEqual([
        'Deployment scorer: no HorizontalPodAutoscaler (its replicas follow the claim volume)',
      ]);
      objects = overlay('dev');
      objects.push(find(overlay('prod'), 'HorizontalPodAutoscaler', 'scorer'));
      expect(autoscalerProblems('dev', objects)).toEqual([
        "HorizontalPodAutoscaler scorer: scales Deployment scorer, not one of this overlay's autoscaled services (none)",
      ]);
    });

    withKubectl('the NATS servers admit the claims application from its namespace', () => {
      expect(claimsAppIngressProblems(overlay('prod'))).toEqual([]);
      const objects = overlay('prod').filter(
        (o) => !(o.kind === 'NetworkPolicy' && (o.metadata as { name: string }).name === 'nats-claims-app'),
      );
      expect(claimsAppIngressProblems(objects)).toEqual([
        'no NetworkPolicy lets the claims application (NATS user ue-claims-app) reach the NATS servers on 4222',
      ]);
    });

    withKubectl('prod runs the image by digest; the checked-in one is the documented placeholder', () => {
      const pin = imagePinProblems(overlay('prod'));
      expect(pin.problems).toEqual([]);
      expect(pin.placeholders).toEqual([`registry.example.com/union-eyes-ml@sha256:${'0'.repeat(64)}`]);
      const objects = overlay('prod');
      podOf(find(objects, 'Deployment', 'notifier')).spec.containers[0]!.image = 'union-eyes-ml:0.1.0';
      expect(imagePinProblems(objects).problems).toEqual([
        'Deployment/notifier: image union-eyes-ml:0.1.0 is not pinned by digest (registry/name@sha256:...)',
      ]);
    });

    withKubectl('no Namespace in an overlay; the namespace file stays out of the prune selector', () => {
      expect(namespaceObjectProblems(overlay('prod'))).toEqual([]);
      expect(namespaceObjectProblems(overlay('dev'))).toEqual([]);
      const objects = overlay('dev');
      objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'union-eyes-ml' } });
      expect(namespaceObjectProblems(objects)).toHaveLength(1);

      const file = readFileSync(join(root, 'deploy/k8s/namespace.yaml'), 'utf8');
      expect(namespaceFileProblems(file, 'union-eyes-ml')).toEqual([]);
      expect(namespaceFileProblems(file, 'elsewhere')).toEqual([
        'deploy/k8s/namespace.yaml: named union-eyes-ml; the overlays use elsewhere',
      ]);
      const labelled = file.replace(
        '  labels:\n',
        '  labels:\n    app.kubernetes.io/part-of: union-eyes-ml\n',
      );
      expect(namespaceFileProblems(labelled, 'union-eyes-ml')).toEqual([
        expect.stringContaining('no app.kubernetes.io/part-of label'),
      ]);
    });

    it('Compose: ports on 127.0.0.1, a healthy NATS first, readiness healthchecks, the cli reaches the notifier', () => {
      const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
      const compose = () => parseYaml(text, { merge: true }) as { services: Record<string, JsonObject> };
      expect(composeProblems(compose())).toEqual([]);
      const c = compose();
      c.services.trainer!.ports = ['3103:3103'];
      c.services.postgres!.ports = [{ target: 5432, published: 5432 }];
      (c.services.validator!.depends_on as JsonObject).nats = { condition: 'service_started' };
      c.services.seeder!.healthcheck = {
        test: ['CMD', 'node', '-e', "fetch('http://127.0.0.1:' + process.env.HTTP_PORT + '/health')"],
      };
      delete (c.services.cli!.environment as JsonObject).NOTIFIER_URL;
      delete c.services.nats!.healthcheck;
      expect(composeProblems(c)).toEqual([
        'docker-compose.yml: service postgres: port {"target":5432,"published":5432} is not bound to 127.0.0.1',
        'docker-compose.yml: service trainer: port "3103:3103" is not bound to 127.0.0.1',
        'docker-compose.yml: service nats: no healthcheck',
        'docker-compose.yml: service validator: must depend on nats with condition: service_healthy',
        'docker-compose.yml: service seeder: its healthcheck must ask /health/ready',
        'docker-compose.yml: service seeder: its healthcheck must ask OPS_PORT (/health is 404 on HTTP_PORT)',
        'docker-compose.yml: service cli: NOTIFIER_URL must be http://notifier:3105 (ml:ack, ml:recipients)',
      ]);
    });

    it('Compose: the ops port, and the tokens of the notifier (sent by the console and the cli) and the scheduler', () => {
      const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
      const compose = () =>
        parseYaml(text, { merge: true }) as { services: Record<string, { environment: JsonObject }> };
      const env = (c: ReturnType<typeof compose>, name: string) => c.services[name]!.environment;
      let c = compose();
      expect(env(c, 'console').NOTIFIER_TOKEN).toBe(env(c, 'notifier').SERVICE_TOKEN);
      expect(env(c, 'cli').NOTIFIER_TOKEN).toBe(env(c, 'notifier').SERVICE_TOKEN);
      expect(env(c, 'scheduler').SERVICE_TOKEN).not.toBe(env(c, 'notifier').SERVICE_TOKEN);
      delete env(c, 'validator').OPS_PORT;
      env(c, 'notifier').SERVICE_TOKEN = 'short';
      env(c, 'cli').NOTIFIER_TOKEN = 'another-token-of-enough-characters';
      delete env(c, 'scheduler').SERVICE_TOKEN;
      expect(composeProblems(c)).toEqual([
        'docker-compose.yml: service validator: OPS_PORT must be "9464" (has none)',
        'docker-compose.yml: service notifier: SERVICE_TOKEN: at least 24 characters with NODE_ENV=production, or it refuses to start',
        'docker-compose.yml: service scheduler: no SERVICE_TOKEN: its HTTP actions would be open, and with NODE_ENV=production it refuses to start',
        "docker-compose.yml: service console: NOTIFIER_TOKEN must be the notifier's SERVICE_TOKEN, or the notifier answers 401",
        "docker-compose.yml: service cli: NOTIFIER_TOKEN must be the notifier's SERVICE_TOKEN, or the notifier answers 401",
      ]);
      c = compose();
      env(c, 'scheduler').SERVICE_TOKEN = env(c, 'notifier').SERVICE_TOKEN!;
      expect(composeProblems(c)).toEqual([
        "docker-compose.yml: service scheduler: SERVICE_TOKEN is the notifier's: each service its own",
      ]);
    });

    describe('the service tokens', () => {
      type Env = {
        name: string;
        value?: string;
        valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
      };
      const envOf = (objects: K8sObject[], deployment: string) =>
        podOf(find(objects, 'Deployment', deployment)).spec.containers[0]!.env as Env[];
      const ref = (objects: K8sObject[], deployment: string, name: string) =>
        envOf(objects, deployment).find((e) => e.name === name)!.valueFrom!.secretKeyRef!;

      withKubectl(
        "the notifier's and the scheduler's each their own; the console and the cli send the notifier's",
        () => {
          expect(serviceTokenProblems('prod', overlay('prod'))).toEqual([]);
          expect(serviceTokenProblems('dev', overlay('dev'))).toEqual([]);
          const objects = overlay('prod');
          expect(ref(objects, 'notifier', 'SERVICE_TOKEN')).toEqual({
            name: 'union-eyes-ml-service-tokens',
            key: 'UE_NOTIFIER_TOKEN',
          });
          expect(ref(objects, 'console', 'NOTIFIER_TOKEN')).toEqual(
            ref(objects, 'notifier', 'SERVICE_TOKEN'),
          );
          expect(ref(objects, 'cli', 'NOTIFIER_TOKEN')).toEqual(ref(objects, 'notifier', 'SERVICE_TOKEN'));
          expect(ref(objects, 'scheduler', 'SERVICE_TOKEN').key).toBe('UE_SCHEDULER_TOKEN');
        },
      );

      withKubectl(
        "fails when the console's or the cli's NOTIFIER_TOKEN is another key than the notifier's",
        () => {
          const objects = overlay('prod');
          // Where the console's token used to be: its own Secret, which the notifier does not read.
          Object.assign(ref(objects, 'console', 'NOTIFIER_TOKEN'), {
            name: 'union-eyes-ml-console',
            key: 'NOTIFIER_TOKEN',
          });
          ref(objects, 'cli', 'NOTIFIER_TOKEN').optional = true;
          expect(serviceTokenProblems('prod', objects)).toEqual([
            "Deployment console: NOTIFIER_TOKEN from union-eyes-ml-console/NOTIFIER_TOKEN, not the notifier's SERVICE_TOKEN key (union-eyes-ml-service-tokens/UE_NOTIFIER_TOKEN): the notifier would answer 401 (and rotating one would not rotate the other)",
            "Deployment cli: NOTIFIER_TOKEN from an optional Secret key; make it required, as the notifier's is",
          ]);
          const dropped = overlay('prod');
          const console = envOf(dropped, 'console');
          console.splice(
            console.findIndex((e) => e.name === 'NOTIFIER_TOKEN'),
            1,
          );
          expect(serviceTokenProblems('prod', dropped)).toEqual([
            "Deployment console: NOTIFIER_TOKEN must come from the notifier's SERVICE_TOKEN key (union-eyes-ml-service-tokens/UE_NOTIFIER_TOKEN), not nowhere: the notifier answers 401 to anything else",
          ]);
        },
      );

      withKubectl('fails on a shared, missing, literal, short or stray token', () => {
        let objects = overlay('prod');
        ref(objects, 'scheduler', 'SERVICE_TOKEN').key = 'UE_NOTIFIER_TOKEN';
        envOf(objects, 'trainer').push({
          name: 'NOTIFIER_TOKEN',
          valueFrom: { secretKeyRef: { name: 'union-eyes-ml-service-tokens', key: 'UE_NOTIFIER_TOKEN' } },
        });
        expect(serviceTokenProblems('prod', objects)).toEqual([
          "Deployment scheduler: SERVICE_TOKEN from union-eyes-ml-service-tokens/UE_NOTIFIER_TOKEN, the notifier's token: each service its own",
          'Deployment trainer/app reads union-eyes-ml-service-tokens/UE_NOTIFIER_TOKEN (as NOTIFIER_TOKEN): only notifier/app, scheduler/app, console/app, cli/cli may',
        ]);
        // In prod (NODE_ENV=production): a token in the manifest is committed to Git; none at all, no start.
        objects = overlay('prod');
        const notifier = envOf(objects, 'notifier').find((e) => e.name === 'SERVICE_TOKEN')!;
        delete notifier.valueFrom;
        notifier.value = 'a-token-committed-to-git-0123456789';
        const scheduler = envOf(objects, 'scheduler');
        scheduler.splice(
          scheduler.findIndex((e) => e.name === 'SERVICE_TOKEN'),
          1,
        );
        expect(serviceTokenProblems('prod', objects)).toEqual([
          'Deployment notifier: SERVICE_TOKEN must come from a Secret key (secretKeyRef), not a value in the manifest or a ConfigMap',
          'Deployment scheduler: no SERVICE_TOKEN: with NODE_ENV=production it refuses to start',
        ]);
        // Dev ships its Secret: a throwaway value, but one the services start with (NODE_ENV=production).
        objects = overlay('dev');
        (
          find(objects, 'Secret', 'union-eyes-ml-service-tokens').stringData as Record<string, string>
        ).UE_SCHEDULER_TOKEN = 'dev-scheduler';
        expect(serviceTokenProblems('dev', objects)).toEqual([
          'Deployment scheduler: SERVICE_TOKEN: at least 24 characters with NODE_ENV=production, or the scheduler refuses to start (value not shown)',
        ]);
        // The same Secret shipped in prod: its values would be in Git.
        objects = overlay('prod');
        objects.push(find(overlay('dev'), 'Secret', 'union-eyes-ml-service-tokens'));
        expect(serviceTokenProblems('prod', objects)).toEqual([
          "Deployment notifier: SERVICE_TOKEN's Secret union-eyes-ml-service-tokens is in the output of a production overlay: create it out of band (deploy/README.md), a value in Git is no secret",
          "Deployment scheduler: SERVICE_TOKEN's Secret union-eyes-ml-service-tokens is in the output of a production overlay: create it out of band (deploy/README.md), a value in Git is no secret",
        ]);
      });
    });

    describe('the console', () => {
      type Env = {
        name: string;
        value?: string;
        valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
      };
      const envOf = (objects: K8sObject[], deployment: string) =>
        podOf(find(objects, 'Deployment', deployment)).spec.containers[0]!.env as Env[];
      const drop = (env: Env[], name: string) =>
        env.splice(
          env.findIndex((e) => e.name === name),
          1,
        );

      withKubectl('passes as shipped: OpenID Connect in prod, the development sign-in in dev', () => {
        expect(consoleProblems('prod', overlay('prod'))).toEqual([]);
        expect(consoleProblems('dev', overlay('dev'))).toEqual([]);
        const dev = new Map(envOf(overlay('dev'), 'console').map((e) => [e.name, e.value]));
        expect(dev.get('CONSOLE_DEV_LOGIN')).toBe('true');
        expect(dev.get('NODE_ENV')).toBe('development');
      });

      withKubectl('refuses the development sign-in in prod, and with NODE_ENV=production anywhere', () => {
        let objects = overlay('prod');
        envOf(objects, 'console').push({ name: 'CONSOLE_DEV_LOGIN', value: 'true' });
        expect(consoleProblems('prod', objects)).toEqual([
          'Deployment console: CONSOLE_DEV_LOGIN=true with NODE_ENV=production: the console refuses it and exits at start',
          'Deployment console: CONSOLE_DEV_LOGIN=true in a production overlay: anyone who reaches it signs in without a password; sign in through OIDC',
        ]);
        // NODE_ENV=development would get it past the app's own refusal, not past this check.
        envOf(objects, 'console').push({ name: 'NODE_ENV', value: 'development' });
        expect(consoleProblems('prod', objects)).toEqual([
          'Deployment console: CONSOLE_DEV_LOGIN=true in a production overlay: anyone who reaches it signs in without a password; sign in through OIDC',
          "Deployment console: NODE_ENV development in a production overlay; the console's production refusals need production",
        ]);
        // Dev without its NODE_ENV: the ConfigMap's production, which the console refuses to sign in with.
        objects = overlay('dev');
        drop(envOf(objects, 'console'), 'NODE_ENV');
        expect(consoleProblems('dev', objects)).toEqual([
          'Deployment console: CONSOLE_DEV_LOGIN=true with NODE_ENV=production: the console refuses it and exits at start',
          'Deployment console: nobody could sign in: set OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URL and CONSOLE_SESSION_SECRET (or, outside production, CONSOLE_DEV_LOGIN=true)',
        ]);
      });

      withKubectl(
        'wants all of OIDC, its secrets from a Secret, and the redirect at the Ingress host',
        () => {
          let objects = overlay('prod');
          drop(envOf(objects, 'console'), 'OIDC_CLIENT_ID');
          expect(consoleProblems('prod', objects)).toEqual([
            'Deployment console: OIDC_CLIENT_ID missing: OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URL go together',
            'Deployment console: nobody could sign in: set OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URL and CONSOLE_SESSION_SECRET',
          ]);
          objects = overlay('prod');
          const secret = envOf(objects, 'console').find((e) => e.name === 'OIDC_CLIENT_SECRET')!;
          delete secret.valueFrom;
          secret.value = 'committed-to-git';
          envOf(objects, 'console').find(
            (e) => e.name === 'CONSOLE_SESSION_SECRET',
          )!.valueFrom!.secretKeyRef!.optional = true;
          (
            find(objects, 'ConfigMap', 'union-eyes-ml-console-config').data as Record<string, string>
          ).OIDC_REDIRECT_URL = 'https://ml-console.example.org/auth/callback';
          expect(consoleProblems('prod', objects)).toEqual([
            'Deployment console: OIDC_CLIENT_SECRET must come from a Secret key (secretKeyRef), not a value in the manifest or a ConfigMap',
            'Deployment console: CONSOLE_SESSION_SECRET from an optional Secret key: without it nobody can sign in; make it required',
            "Deployment console: OIDC_REDIRECT_URL's host ml-console.example.org is not the Ingress's (console.example.com): the issuer would send people elsewhere",
          ]);
        },
      );

      withKubectl('lets no other workload read the sign-in', () => {
        const objects = overlay('prod');
        envOf(objects, 'notifier').push({
          name: 'CLIENT_SECRET',
          valueFrom: { secretKeyRef: { name: 'union-eyes-ml-console', key: 'OIDC_CLIENT_SECRET' } },
        });
        (find(objects, 'ConfigMap', 'union-eyes-ml-config').data as Record<string, string>).OIDC_ISSUER =
          'https://login.example.com';
        const problems = consoleProblems('prod', objects);
        // The shared ConfigMap reaches every workload that reads it whole: the services, the Jobs, the cli.
        expect(problems).toContain(
          "Deployment notifier/app reads the console's sign-in (OIDC_ISSUER, union-eyes-ml-console/OIDC_CLIENT_SECRET): only Deployment console may",
        );
        expect(problems).toContain(
          "Job migrate/migrate reads the console's sign-in (OIDC_ISSUER): only Deployment console may",
        );
      });

      withKubectl('reaches the notifier, and people reach it through an Ingress with TLS', () => {
        const objects = overlay('prod');
        envOf(objects, 'console').find((e) => e.name === 'NOTIFIER_URL')!.value = 'http://notifier:3000';
        const policy = find(objects, 'NetworkPolicy', 'ue-notifier-ingress').spec as {
          ingress: { from: { podSelector?: { matchLabels?: Record<string, string> } }[] }[];
        };
        policy.ingress[0]!.from = policy.ingress[0]!.from.filter(
          (x) => x.podSelector?.matchLabels?.['app.kubernetes.io/name'] !== 'console',
        );
        delete (find(objects, 'Ingress', 'console').spec as JsonObject).tls;
        expect(consoleProblems('prod', objects)).toEqual([
          "Deployment console: NOTIFIER_URL must be http://notifier:3105 (the notifier's Service: acknowledgements, recipients)",
          'Deployment notifier: no NetworkPolicy lets the console in on 3105',
          "Ingress/console: host console.example.com has no TLS (spec.tls): the console's session cookie is Secure",
        ]);
        expect(
          consoleProblems(
            'prod',
            overlay('prod').filter((o) => o.kind !== 'Ingress'),
          ),
        ).toEqual(['no Ingress routes to Service console (port http): people could not reach the console']);
      });

      withKubectl('is scraped and watched like every service', () => {
        expect(monitoringCoverageProblems(overlay('prod'))).toEqual([]);
        expect(monitoringCoverageProblems(overlay('dev'))).toEqual([]); // no monitoring objects there
        const objects = overlay('prod');
        const selector = (
          find(objects, 'PodMonitor', 'union-eyes-ml').spec as {
            selector: { matchExpressions: { values: string[] }[] };
          }
        ).selector.matchExpressions[0]!;
        selector.values = selector.values.filter((v) => v !== 'console');
        const rules = (
          find(objects, 'PrometheusRule', 'union-eyes-ml').spec as {
            groups: { rules: { alert?: string; expr: string }[] }[];
          }
        ).groups.flatMap((g) => g.rules);
        const down = rules.find((r) => r.alert === 'UnionEyesMLServiceDown')!;
        down.expr = down.expr.replace('|console', '');
        const absent = rules.find((r) => r.alert === 'UnionEyesMLServiceAbsent')!;
        absent.expr = absent.expr.replace(/\s*or absent\(up\{[^}]*job="console"\}\)/, '');
        expect(monitoringCoverageProblems(objects)).toEqual([
          "no PodMonitor scrapes console's pods",
          'alert UnionEyesMLServiceDown does not watch console (job=~"scheduler|drift-monitor|trainer|validator|notifier|seeder|scorer")',
          'alert UnionEyesMLServiceAbsent has no absent(up{..., job="console"})',
        ]);
        // Scraped on the HTTP port, where /metrics is 404 with OPS_PORT: every target would be down.
        const monitor = overlay('prod');
        (
          find(monitor, 'PodMonitor', 'union-eyes-ml').spec as { podMetricsEndpoints: { port: string }[] }
        ).podMetricsEndpoints[0]!.port = 'http';
        expect(monitoringCoverageProblems(monitor)).toEqual([
          'PodMonitor union-eyes-ml: scrapes port http; /metrics answers on the ops port only (port ops, 9464)',
        ]);
      });

      it('Compose: the development sign-in without NODE_ENV=production, and the notifier', () => {
        const compose = () =>
          parseYaml(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
            services: Record<string, { environment: JsonObject }>;
          };
        const c = compose();
        expect(c.services.console!.environment).toMatchObject({
          CONSOLE_DEV_LOGIN: 'true',
          NOTIFIER_URL: 'http://notifier:3105',
        });
        delete c.services.console!.environment.NODE_ENV; // back to the shared environment's production
        delete c.services.console!.environment.NOTIFIER_URL;
        expect(composeProblems(c)).toEqual([
          'docker-compose.yml: service console: NOTIFIER_URL must be http://notifier:3105 (acknowledgements, recipients)',
          'docker-compose.yml: service console: CONSOLE_DEV_LOGIN=true with NODE_ENV=production: the console refuses it and exits at start',
        ]);
      });

      it('the image starts it and carries its web UI', () => {
        const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
        const entrypoint = readFileSync(join(root, 'deploy/docker/entrypoint.sh'), 'utf8');
        const build = (
          JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { build: string } }
        ).scripts.build;
        expect(imageProblems(dockerfile, entrypoint, build)).toEqual([]);
        expect(
          imageProblems(
            dockerfile.replace(
              'COPY --from=build /app/dist ./dist',
              'COPY --from=build /app/dist/apps ./dist/apps',
            ),
            entrypoint.replace(' | console', ''),
            'nest build',
          ),
        ).toEqual([
          'deploy/docker/entrypoint.sh: does not start console (its case branch of run_app)',
          "package.json: `npm run build` does not build the console's web UI (npm run build:web)",
          "Dockerfile: the runtime stage must COPY --from=build /app/dist ./dist (the apps and the console's web UI)",
        ]);
      });
    });

    it('one Node: the image is in engines, and CI tests exactly what engines admits', () => {
      const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
      const engines = (
        JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }
      ).engines.node;
      const ci = parseYaml(readFileSync(join(root, '.github/workflows/ci.yml'), 'utf8')) as {
        jobs: { test: { strategy: { matrix: { node: string[] } } } };
      };
      expect(nodeVersionProblems(dockerfile, engines, ci)).toEqual([]);
      expect(
        nodeVersionProblems(
          dockerfile.replace(/^ARG NODE_IMAGE=node:\d+/m, 'ARG NODE_IMAGE=node:26'),
          engines,
          ci,
        ),
      ).toEqual([`Dockerfile: Node 26 is not in engines (${engines})`]);
      ci.jobs.test.strategy.matrix.node = ['24'];
      expect(nodeVersionProblems(dockerfile, engines, ci)).toEqual([
        '.github/workflows/ci.yml: its matrix tests Node 24; engines admits 20, 22, 24',
      ]);
    });

    describe('alerts and dashboard', () => {
      const rulesFile = join(root, 'deploy/k8s/components/monitoring/prometheus-rule.yaml');
      type Rule = {
        alert?: string;
        expr: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
      };
      const rules = (): Rule[] =>
        (
          parseYaml(readFileSync(rulesFile, 'utf8')) as { spec: { groups: { rules: Rule[] }[] } }
        ).spec.groups.flatMap((g) => g.rules);
      const anchors = markdownAnchors(readFileSync(join(root, 'docs/operations.md'), 'utf8'));
      const dashboard = (): unknown =>
        JSON.parse(
          readFileSync(join(root, 'deploy/k8s/components/monitoring/dashboards/union-eyes-ml.json'), 'utf8'),
        );
      const known = knownMetrics(root);

      it('finds anchors as GitHub makes them', () => {
        const md =
          '# Top\n## Replay the dead-letter stream\n### `ue status` (CLI)\n## Top\n```\n# not a heading\n```\n<a id="x-1"></a>';
        expect([...markdownAnchors(md)]).toEqual([
          'top',
          'replay-the-dead-letter-stream',
          'ue-status-cli',
          'top-1',
          'x-1',
        ]);
      });

      it('every alert has a severity and its own runbook section in docs/operations.md', () => {
        expect(rules().filter((r) => r.alert)).toHaveLength(10);
        expect(runbookProblems(rules(), anchors)).toEqual([]);
        const bad = rules();
        delete bad[0]!.annotations!.runbook_url;
        bad[1]!.annotations!.runbook_url = 'docs/operations.md#unioneyesmlserviceabsent';
        bad[2]!.annotations!.runbook_url = bad[3]!.annotations!.runbook_url!;
        bad[4]!.annotations!.runbook_url = bad[4]!.annotations!.runbook_url!.replace('#', 'x#');
        bad[5]!.annotations!.runbook_url = bad[5]!.annotations!.runbook_url!.replace(
          /#.*/,
          '#no-such-section',
        );
        delete bad[6]!.labels;
        expect(runbookProblems(bad, anchors)).toEqual([
          'alert UnionEyesMLServiceDown: runbook_url must be https://.../docs/operations.md#<anchor> (has none)',
          'alert UnionEyesMLServiceAbsent: runbook_url must be https://.../docs/operations.md#<anchor> (has docs/operations.md#unioneyesmlserviceabsent)',
          "alert UnionEyesMLContainerOOMKilled: its runbook anchor #unioneyesmlcontaineroomkilled is UnionEyesMLPodRestarting's too (one section per alert)",
          expect.stringMatching(/^alert UnionEyesMLRetrainingFailed: runbook_url must be/),
          'alert UnionEyesMLPipelineStuck: docs/operations.md has no anchor #no-such-section',
          'alert UnionEyesMLDeadLetters: no severity label',
        ]);
        const twoDocuments = rules();
        twoDocuments[0]!.annotations!.runbook_url =
          'https://docs.example.org/docs/operations.md#unioneyesmlservicedown';
        expect(runbookProblems(twoDocuments, anchors)).toEqual([
          expect.stringMatching(/^runbook_url: several documents/),
        ]);
      });

      it('reads metric names out of PromQL', () => {
        expect([
          ...promqlMetricNames(
            'sum by (namespace, le) (rate(ue_training_seconds_bucket{service="trainer", le=~"1|5"}[5m])) > 0 ' +
              'and ignoring (reason) min_over_time(kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}[10m]) == 1 ' +
              'unless up offset 1h or histogram_quantile(0.95, x_total[$__rate_interval])',
          ),
        ]).toEqual([
          'ue_training_seconds_bucket',
          'kube_pod_container_status_last_terminated_reason',
          'up',
          'x_total',
        ]);
      });

      it('knows the metrics the code registers, with histogram series, and prom-client defaults', () => {
        for (const m of [
          'ue_events_handled_total',
          'ue_training_seconds_bucket',
          'ue_event_handler_seconds_count',
          'ue_outbox_oldest_pending_seconds',
          'ue_notification_attempts_total',
          'process_resident_memory_bytes',
          'nodejs_gc_duration_seconds_sum',
        ])
          expect(known).toContain(m);
        expect(known).not.toContain('ue_training_seconds_total');
      });

      it('every metric of the rules and the dashboard exists; a made-up one fails', () => {
        const queries = [
          ...rules().map((r) => ({ where: String(r.alert), expr: r.expr })),
          ...dashboardQueries(dashboard()),
        ];
        expect(queries.length).toBeGreaterThan(25);
        expect(unknownMetricProblems(queries, known)).toEqual([]);
        const d = dashboard() as { panels: { title: string; targets?: { expr?: string }[] }[] };
        const panel = d.panels.find((p) => p.targets?.[0]?.expr)!;
        panel.targets![0]!.expr = 'sum(rate(ue_pipelines_completed_total[5m]))';
        const r = rules();
        r[0]!.expr = 'ue_service_up == 0';
        expect(
          unknownMetricProblems(
            [...r.map((x) => ({ where: String(x.alert), expr: x.expr })), ...dashboardQueries(d)],
            known,
          ),
        ).toEqual([
          "UnionEyesMLServiceDown: metric ue_service_up is registered nowhere in libs/ or apps/ (nor a known exporter's)",
          `panel "${panel.title}": metric ue_pipelines_completed_total is registered nowhere in libs/ or apps/ (nor a known exporter's)`,
        ]);
      });
    });
  });
});
