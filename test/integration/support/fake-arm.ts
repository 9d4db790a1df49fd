import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  apiVersion: string | null;
  body: unknown;
}

/** complete: runs at once; hang: never ends; gated: runs once `openGate()` is called. */
type Behaviour = 'complete' | 'hang' | 'gated';

interface FakeJob {
  name: string;
  status: string;
  body: {
    properties: {
      command: string;
      environmentVariables?: Record<string, string>;
      // As the SDK types them (a tag may be null).
      tags?: Record<string, string | null>;
    };
  };
  behaviour: Behaviour;
  running?: Promise<void>;
}

const JOB_PATH =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([^/]+)\/jobs\/([^/]+?)(\/cancel)?$/;

/**
 * A local server answering the Azure Resource Manager routes that @azure/arm-machinelearning calls for
 * jobs (PUT and GET .../jobs/{name}, POST .../jobs/{name}/cancel). It "runs" a submitted command job by
 * calling `execute(command, env)` with the job's command and environment variables (the test runs the
 * command in a shell, as Azure ML compute does), so the job really trains against the test database.
 */
export class FakeArm {
  readonly requests: RecordedRequest[] = [];
  readonly jobs = new Map<string, FakeJob>();
  behaviour: (job: FakeJob['body']) => Behaviour = () => 'complete';
  private server?: http.Server;
  url = '';
  private openGateNow: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.openGateNow = resolve));

  constructor(private readonly execute: (command: string, env: Record<string, string>) => Promise<number>) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => this.handle(req, raw, res));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.running));
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  /** A job that exists before the trainer asks (as after a crash between submit and ack). */
  preload(name: string, body: FakeJob['body'], status = 'Running'): void {
    this.jobs.set(name, { name, status: 'Queued', body, behaviour: this.behaviour(body) });
    if (status === 'Running') this.run(this.jobs.get(name)!);
  }

  /** Lets every gated job (submitted before or after) run. */
  openGate(): void {
    this.openGateNow();
  }

  private handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const body: unknown = raw ? JSON.parse(raw) : null;
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      apiVersion: url.searchParams.get('api-version'),
      body,
    });
    const m = JOB_PATH.exec(url.pathname);
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (!m) return send(404, { error: { code: 'NotFound', message: `no route ${url.pathname}` } });
    const name = m[4]!;
    const job = this.jobs.get(name);
    const view = (j: FakeJob) => ({
      id: url.pathname.replace(/\/cancel$/, ''),
      name: j.name,
      type: 'Microsoft.MachineLearningServices/workspaces/jobs',
      properties: { ...j.body.properties, status: j.status },
    });
    if (req.method === 'PUT') {
      const created: FakeJob = {
        name,
        status: 'Queued',
        body: body as FakeJob['body'],
        behaviour: this.behaviour(body as FakeJob['body']),
      };
      this.jobs.set(name, created);
      return send(201, view(created));
    }
    if (!job) return send(404, { error: { code: 'UserError', message: `job ${name} not found` } });
    if (req.method === 'POST' && m[5]) {
      job.status = 'Canceled';
      res.writeHead(202, {
        location: `${this.url}${url.pathname}?api-version=${url.searchParams.get('api-version')}`,
      });
      res.end();
      return;
    }
    if (job.status === 'Queued') this.run(job);
    return send(200, view(job));
  }

  private run(job: FakeJob): void {
    job.status = 'Running';
    if (job.behaviour === 'hang') return;
    const start = job.behaviour === 'gated' ? this.gate : Promise.resolve();
    job.running = start
      .then(() => this.execute(job.body.properties.command, job.body.properties.environmentVariables ?? {}))
      .then(
        (code) => {
          if (job.status === 'Running') job.status = code === 0 ? 'Completed' : 'Failed';
        },
        () => {
          job.status = 'Failed';
        },
      );
  }
}

/**
 * The trainer's environment for the Azure ML backend against these local fakes (Resource Manager, Key
 * Vault and the managed identity): one definition for the integration and the fault specs.
 */
export function azureTrainerEnv(
  arm: FakeArm,
  vault: { secretUri(name: string): string; userAssigned: string },
  o: { secretName: string; jobDatabaseUrl: string; appRoot: string; timeoutSeconds?: number },
): Record<string, string> {
  const workspace =
    '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-1';
  return {
    TRAINER_BACKEND: 'azureml',
    AZUREML_SUBSCRIPTION_ID: 'sub-1',
    AZUREML_RESOURCE_GROUP: 'rg-1',
    AZUREML_WORKSPACE: 'ws-1',
    AZUREML_COMPUTE: `${workspace}/computes/cpu-cluster`,
    AZUREML_ENVIRONMENT: `${workspace}/environments/union-eyes/versions/1`,
    AZUREML_ENDPOINT: arm.url,
    AZUREML_ALLOW_INSECURE: 'true',
    AZUREML_POLL_SECONDS: '1',
    ...(o.timeoutSeconds === undefined ? {} : { AZUREML_TIMEOUT_SECONDS: String(o.timeoutSeconds) }),
    AZUREML_JOB_DATABASE_URL: o.jobDatabaseUrl,
    AZUREML_JOB_DATABASE_PASSWORD_SECRET_URI: vault.secretUri(o.secretName),
    AZUREML_JOB_IDENTITY_CLIENT_ID: vault.userAssigned,
    AZUREML_JOB_APP_ROOT: o.appRoot,
    // The tests' Postgres speaks plain TCP; production's default is verify-full.
    AZUREML_JOB_PGSSLMODE: 'disable',
  };
}
