import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { promisify } from 'node:util';

export interface VaultRequest {
  method: string;
  path: string;
  apiVersion: string | null;
  /** Client id of the managed identity whose token came with the request; null without one. */
  identity: string | null;
  status: number;
}

interface IssuedToken {
  clientId: string;
  resource: string;
}

const VAULT_RESOURCE = 'https://vault.azure.net';
const SECRET_PATH = /^\/secrets\/([0-9A-Za-z-]+)(?:\/([0-9A-Za-z]*))?$/;

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/**
 * What Azure gives a job on Azure ML compute, run locally:
 * - the compute's managed identity endpoint, as Azure ML exposes it to a job (MSI_ENDPOINT, MSI_SECRET,
 *   DEFAULT_IDENTITY_CLIENT_ID: the protocol of MSAL's "MachineLearning" source), issuing tokens for the
 *   identities attached to the compute;
 * - a Key Vault answering GET /secrets/{name}[/{version}] as Key Vault does: a 401 challenge naming
 *   https://vault.azure.net, then the secret for a bearer token of an identity granted "Key Vault Secrets
 *   User" (`readers`), 403 for any other identity.
 * The vault keeps a real vault's name (https://ue-test.vault.azure.net): a job reaches it through
 * HTTPS_PROXY (this server's CONNECT tunnel, for that one host only) and trusts its self-signed
 * certificate through NODE_EXTRA_CA_CERTS. So the job runs production's code unchanged, the SDK's
 * https-only and challenge-resource checks included.
 */
export class FakeKeyVault {
  readonly host = 'ue-test.vault.azure.net';
  readonly tenantId = randomUUID();
  /** The compute's system-assigned identity (Azure ML's DEFAULT_IDENTITY_CLIENT_ID). */
  readonly systemAssigned: string = randomUUID();
  /** A user-assigned identity attached to the compute. */
  readonly userAssigned: string = randomUUID();
  readonly secrets = new Map<string, string>();
  /** Client ids granted "Key Vault Secrets User" on the vault. */
  readonly readers = new Set<string>();
  readonly requests: VaultRequest[] = [];
  readonly tokenRequests: { clientId: string | null; resource: string | null; status: number }[] = [];
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly msiSecret = randomBytes(16).toString('hex');
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'ue-fake-kv-'));
  private readonly certPath = path.join(this.dir, 'vault.crt');
  private vault?: https.Server;
  private compute?: http.Server;
  private vaultPort = 0;
  /** Tunnelled sockets: an HTTP server forgets a connection once it is CONNECTed, so stop() ends them. */
  private readonly tunnels = new Set<Duplex>();
  private computeUrl = '';

  async start(): Promise<void> {
    const keyPath = path.join(this.dir, 'vault.key');
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${this.host}`,
      '-addext',
      `subjectAltName=DNS:${this.host}`,
      '-keyout',
      keyPath,
      '-out',
      this.certPath,
    ]);
    this.vault = https.createServer(
      { key: readFileSync(keyPath), cert: readFileSync(this.certPath) },
      (req, res) => this.handleVault(req, res),
    );
    this.vaultPort = await listen(this.vault);
    this.compute = http.createServer((req, res) => this.handleToken(req, res));
    this.compute.on('connect', (req: http.IncomingMessage, socket: Duplex, head: Buffer) =>
      this.tunnel(req, socket, head),
    );
    this.computeUrl = `http://127.0.0.1:${await listen(this.compute)}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.tunnels) socket.destroy();
    for (const server of [this.vault, this.compute]) {
      if (!server) continue;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  secretUri(name: string): string {
    return `https://${this.host}/secrets/${name}`;
  }

  /**
   * The environment of a process on the compute: what Azure ML sets for a job on a compute with a managed
   * identity, and this test's route to the vault (proxy, trusted certificate).
   */
  computeEnv(): Record<string, string> {
    return {
      MSI_ENDPOINT: `${this.computeUrl}/msi/token`,
      MSI_SECRET: this.msiSecret,
      DEFAULT_IDENTITY_CLIENT_ID: this.systemAssigned,
      HTTPS_PROXY: this.computeUrl,
      NO_PROXY: '127.0.0.1,localhost',
      NODE_EXTRA_CA_CERTS: this.certPath,
    };
  }

  /** Azure ML's token endpoint for jobs (API 2017-09-01): GET ?resource=&clientid= with the `secret` header. */
  private handleToken(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.computeUrl);
    const clientId = url.searchParams.get('clientid');
    const resource = url.searchParams.get('resource');
    const send = (status: number, body: unknown) => {
      this.tokenRequests.push({ clientId, resource, status });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== '/msi/token' || req.headers.secret !== this.msiSecret)
      return send(401, { error: 'invalid_request', error_description: 'bad MSI secret' });
    if (!clientId || ![this.systemAssigned, this.userAssigned].includes(clientId) || !resource)
      return send(400, { error: 'invalid_request', error_description: 'identity not found on this compute' });
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { clientId, resource });
    return send(200, {
      access_token: token,
      expires_on: String(Math.floor(Date.now() / 1000) + 3600),
      resource,
      token_type: 'Bearer',
    });
  }

  private handleVault(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', `https://${this.host}`);
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ? this.tokens.get(bearer) : undefined;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({
        method: req.method ?? '',
        path: url.pathname,
        apiVersion: url.searchParams.get('api-version'),
        identity: token?.clientId ?? null,
        status,
      });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (!token || token.resource !== VAULT_RESOURCE)
      return send(
        401,
        { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
        {
          'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${this.tenantId}", resource="${VAULT_RESOURCE}"`,
        },
      );
    const m = SECRET_PATH.exec(url.pathname);
    if (req.method !== 'GET' || !m)
      return send(400, {
        error: { code: 'BadParameter', message: `no route ${req.method} ${url.pathname}` },
      });
    if (!this.readers.has(token.clientId))
      return send(403, {
        error: {
          code: 'Forbidden',
          message: `Caller is not authorized to perform action on resource. Caller: appid=${token.clientId}; Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'`,
          innererror: { code: 'ForbiddenByRbac' },
        },
      });
    const value = this.secrets.get(m[1]!);
    if (value === undefined)
      return send(404, {
        error: {
          code: 'SecretNotFound',
          message: `A secret with (name/id) ${m[1]!} was not found in this key vault.`,
        },
      });
    return send(200, {
      value,
      id: `https://${this.host}/secrets/${m[1]!}/${m[2] || '0123456789abcdef0123456789abcdef'}`,
      attributes: { enabled: true },
    });
  }

  /** HTTPS_PROXY: tunnels CONNECTs to the vault's name to the local vault; refuses every other host. */
  private tunnel(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    if (req.url !== `${this.host}:443`) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(this.vaultPort, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    for (const s of [socket, upstream]) {
      this.tunnels.add(s);
      s.on('close', () => this.tunnels.delete(s));
    }
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  }
}
