/**
 * Connection options from NATS_URL. The client library ignores credentials written in the URL
 * (`nats://user:password@host:4222`), so they are taken out here and passed as `user` / `pass`; the
 * servers keep only scheme, host and port, which is also what may be logged.
 */
export function natsConnectOptions(natsUrl: string): { servers: string[]; user?: string; pass?: string } {
  let user: string | undefined;
  let pass: string | undefined;
  const servers = natsUrl.split(',').map((s) => {
    const u = new URL(s.trim());
    if (u.username) {
      user = decodeURIComponent(u.username);
      pass = decodeURIComponent(u.password);
    }
    return `${u.protocol}//${u.host}`;
  });
  return { servers, ...(user ? { user, pass } : {}) };
}

/**
 * The NATS_URL for connection options given as a client library takes them (`servers` with or without a
 * scheme, `user` / `pass` apart), for example by Testcontainers' NATS module, which starts its server
 * with a user and password: every server of the list carries the credentials, URL-encoded.
 */
export function natsUrlOf(options: { servers?: string | string[]; user?: string; pass?: string }): string {
  const list = Array.isArray(options.servers) ? options.servers : [options.servers ?? '127.0.0.1:4222'];
  const auth = options.user
    ? `${encodeURIComponent(options.user)}:${encodeURIComponent(options.pass ?? '')}@`
    : '';
  return list
    .map((s) => {
      const [, scheme = 'nats://', hostPort] = /^([a-z]+:\/\/)?(.*)$/.exec(s.trim()) ?? [];
      return `${scheme}${auth}${hostPort ?? ''}`;
    })
    .join(',');
}
