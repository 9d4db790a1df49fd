import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import {
  checkDeploy,
  natsPublishAllow,
  parseDocuments,
  renderOverlay,
  selects,
  subjectsOf,
  validateObject,
} from '../../../../scripts/check-deploy';
import type { K8sObject } from '../../../../scripts/check-deploy';

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
  });
});
