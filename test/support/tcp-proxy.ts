import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';

/**
 * A TCP forwarder between a service and a real server, to cut the line without touching the server:
 * `open` forwards, `blackhole` keeps the connections but stops passing bytes (a server that hangs),
 * `closed` drops every connection and refuses new ones (a server that is gone).
 */
export class TcpProxy {
  private server?: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  private mode: 'open' | 'blackhole' | 'closed' = 'open';
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      if (this.mode === 'closed') {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      client.on('data', (d) => {
        if (this.mode === 'open') upstream.write(d);
      });
      upstream.on('data', (d) => {
        if (this.mode === 'open') client.write(d);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  set(mode: 'open' | 'blackhole' | 'closed'): void {
    this.mode = mode;
    if (mode !== 'closed') return;
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
  }

  async stop(): Promise<void> {
    this.set('closed');
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A URL with its host and port replaced by the proxy's (credentials, path and query kept). */
export function throughProxy(url: string, proxy: TcpProxy): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  return u.toString();
}
