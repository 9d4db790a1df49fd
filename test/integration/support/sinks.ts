import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  to: string[];
  raw: string;
}

/** A real SMTP server for tests: accepts mail, can reject one address (550), can be stopped and restarted. */
export class SmtpSink {
  readonly mails: Mail[] = [];
  /** TCP connections accepted (a pooled sender reuses them). */
  connections = 0;
  rejectAddress = 'nobody@nowhere.example.org';
  private server?: SMTPServer;
  port = 0;

  async start(port = 0): Promise<void> {
    this.server = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onConnect: (_session, cb) => {
        this.connections += 1;
        cb();
      },
      onAuth: (_auth, _session, cb) => cb(null, { user: 'ml-alerts' }),
      onRcptTo: (address, _session, cb) => {
        if (address.address === this.rejectAddress) {
          const err = new Error('mailbox unavailable') as Error & { responseCode: number };
          err.responseCode = 550;
          return cb(err);
        }
        cb();
      },
      onData: (stream, session, cb) => {
        let raw = '';
        stream.on('data', (c: Buffer) => (raw += c.toString()));
        stream.on('end', () => {
          this.mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
          cb();
        });
      },
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', () => r()));
    this.port = (this.server!.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}

export interface HttpHit {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/**
 * An HTTP endpoint for Slack and webhook tests. Paths choose the behaviour: /ok answers 200, /flaky 500
 * twice then 200, /limited 429 (Retry-After: 1) once then 200, /gone 404, /hang never answers.
 */
export class HttpSink {
  readonly hits: HttpHit[] = [];
  private readonly counts = new Map<string, number>();
  private readonly hanging: http.ServerResponse[] = [];
  private server?: http.Server;
  url = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.hits.push({ path, headers: req.headers, body, at: Date.now() });
        const n = (this.counts.get(path) ?? 0) + 1;
        this.counts.set(path, n);
        const kind = path.split('/')[2] ?? 'ok';
        if (kind === 'hang') return void this.hanging.push(res);
        if (kind === 'gone') return void res.writeHead(404).end('no such hook');
        if (kind === 'flaky' && n <= 2) return void res.writeHead(500).end('oops');
        if (kind === 'limited' && n === 1)
          return void res.writeHead(429, { 'retry-after': '1' }).end('slow down');
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  hitsOf(prefix: string): HttpHit[] {
    return this.hits.filter((h) => h.path.startsWith(prefix));
  }

  async stop(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}
