import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
}

/**
 * An HTTP endpoint that answers the n-th request with the n-th reply of its script, and 200 once the
 * script is used up: a Slack webhook that fails in a given order, then recovers. Every request is kept
 * with the status it got.
 */
export class ScriptedEndpoint {
  readonly requests: { at: number; status: number; body: string }[] = [];
  private readonly server: http.Server;

  constructor(script: readonly Reply[]) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const reply = script[this.requests.length] ?? { status: 200 };
        this.requests.push({ at: Date.now(), status: reply.status, body: Buffer.concat(chunks).toString() });
        res.writeHead(reply.status, reply.headers).end();
      });
    });
  }

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/services/T0/B0`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
