import net from 'node:net';
import type { AddressInfo } from 'node:net';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/**
 * A TCP front for the tests' Postgres that asks every client for its password (cleartext authentication)
 * and lets through only the expected one, as a server with password authentication would. The local
 * server trusts loopback connections, which would hide a client that never sent the password it was meant
 * to have. Once the password is checked, the client's startup message goes to the real server and every
 * byte after it is piped both ways untouched (the real server's own authentication answer follows).
 */
export class PasswordGate {
  readonly attempts: { user: string; ok: boolean }[] = [];
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(
    private readonly target: { host: string; port: number },
    private readonly expected: string,
  ) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private accept(client: net.Socket): void {
    this.track(client);
    let buffered = Buffer.alloc(0);
    let startup: Buffer | null = null;
    let user = '';
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!startup) {
        // Untyped messages first: Int32 length, Int32 code, then (startup) key\0value\0 pairs.
        if (buffered.length < 8 || buffered.length < buffered.readInt32BE(0)) return;
        const length = buffered.readInt32BE(0);
        const code = buffered.readInt32BE(4);
        const message = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          client.write('N'); // no encryption here: the client goes on in plain text, or gives up
          return onData(Buffer.alloc(0));
        }
        startup = message;
        const fields = message.subarray(8).toString('utf8').split('\0');
        user = fields[fields.indexOf('user') + 1] ?? '';
        const askPassword = Buffer.alloc(9);
        askPassword.write('R', 0);
        askPassword.writeInt32BE(8, 1);
        askPassword.writeInt32BE(3, 5); // AuthenticationCleartextPassword
        client.write(askPassword);
        return onData(Buffer.alloc(0));
      }
      // PasswordMessage: 'p', Int32 length, the password\0.
      if (buffered.length < 5 || buffered.length < 1 + buffered.readInt32BE(1)) return;
      const length = buffered.readInt32BE(1);
      const ok = buffered[0] === 0x70 && buffered.subarray(5, length).toString('utf8') === this.expected;
      const rest = buffered.subarray(1 + length);
      client.off('data', onData);
      client.pause(); // until piped: bytes arriving meanwhile must not be dropped
      this.attempts.push({ user, ok });
      if (!ok) {
        client.end(errorResponse('28P01', `password authentication failed for user "${user}"`));
        return;
      }
      const server = net.connect(this.target.port, this.target.host, () => {
        server.write(startup!);
        if (rest.length > 0) server.write(rest);
        client.pipe(server);
        server.pipe(client);
      });
      this.track(server);
      server.on('close', () => client.destroy());
      client.on('close', () => server.destroy());
    };
    client.on('data', onData);
  }
}

/** A FATAL ErrorResponse, as Postgres sends when authentication fails. */
function errorResponse(code: string, message: string): Buffer {
  const body = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`, 'utf8');
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}
