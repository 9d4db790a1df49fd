import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import {
  checkDeploy,
  checkNatsValuesObject,
  checkProvisionJob,
  natsPublishAllow,
  parseDocuments,
  readNatsValues,
  renderOverlay,
  selects,
  subjectsOf,
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

  it('derives each NATS user permissions from the subjects its code uses', () => {
    const trainer = subjectsOf(root, 'trainer');
    expect([...trainer.consumes].sort()).toEqual(['drift.detected', 'retrain.requested']);
    expect([...trainer.publishes].sort()).toEqual(['model.trained', 'training.failed']);
    expect(subjectsOf(root, 'notifier').consumes.size).toBe(6);
    const allow = natsPublishAllow('trainer', trainer.publishes, trainer.consumes);
    expect(allow).toEqual(
      expect.arrayContaining([
        'model.trained',
        'dlq.trainer__drift_detected',
        '$JS.API.CONSUMER.CREATE.UE_EVENTS.trainer__drift_detected.drift.detected',
        '$JS.API.CONSUMER.MSG.NEXT.UE_EVENTS.trainer__retrain_requested',
        '$JS.ACK.UE_EVENTS.trainer__retrain_requested.>',
      ]),
    );
    expect(allow).not.toContain('$JS.API.STREAM.DELETE.UE_EVENTS');
    // Services only check the streams; creating and changing them is the provisioner's.
    expect(allow).toEqual(
      expect.arrayContaining(['$JS.API.STREAM.INFO.UE_EVENTS', '$JS.API.STREAM.INFO.UE_DLQ']),
    );
    expect(allow.filter((x) => /^\$JS\.API\.STREAM\.(CREATE|UPDATE)\./.test(x))).toEqual([]);
  });

  describe('who may create and update the streams (deploy/nats/values.yaml)', () => {
    /** The problems of values.yaml after `change` is applied to its users. */
    const problemsWith = (change: (users: NatsUser[]) => void): string[] => {
      const values = structuredClone(readNatsValues(root));
      const users = (values.config as JsonObject).merge as JsonObject;
      change((users.authorization as JsonObject).users as unknown as NatsUser[]);
      const problems: string[] = [];
      checkNatsValuesObject(values, root, problems, []);
      return problems;
    };
    const user = (users: NatsUser[], name: string) => users.find((u) => u.user === name)!;

    it('passes as deployed: ue-provisioner only', () => {
      expect(problemsWith(() => undefined)).toEqual([]);
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
        'deploy/nats/values.yaml: user ue-trainer may publish $JS.API.STREAM.CREATE.UE_DLQ (more than its code needs)',
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
        'deploy/nats/values.yaml: user ue-ops: unknown (not a service, ue-cli, ue-provisioner or ue-admin)',
        'deploy/nats/values.yaml: user ue-ops may publish $JS.API.STREAM.CREATE.UE_EVENTS, $JS.API.STREAM.CREATE.UE_DLQ, $JS.API.STREAM.UPDATE.UE_EVENTS, $JS.API.STREAM.UPDATE.UE_DLQ: only ue-provisioner creates or updates the streams',
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
});
