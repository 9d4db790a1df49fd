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
