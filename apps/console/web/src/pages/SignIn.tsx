import { useState } from 'react';
import type { FormEvent } from 'react';
import type { DevUser, Me } from '../../../src/api/types';
import { api } from '../api';
import { ErrorMessage, useLoad, useTitle } from '../ui';

/** Operators first, then tenant admins by tenant name: the order people look for themselves in. */
function byRoleThenTenant(a: DevUser, b: DevUser): number {
  if (a.role !== b.role) return a.role === 'operator' ? -1 : 1;
  return (a.tenantName ?? '').localeCompare(b.tenantName ?? '') || a.name.localeCompare(b.name);
}

function userLabel(u: DevUser): string {
  return u.role === 'operator'
    ? `${u.name} (operator)`
    : `${u.name} (tenant admin, ${u.tenantName ?? u.tenantId})`;
}

export function SignInPage({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  useTitle('Sign in');
  const config = useLoad((signal) => api.authConfig(signal), []);
  // A refused OIDC sign-in comes back here with the console's reason (GET /auth/callback).
  const refused = new URLSearchParams(window.location.search).get('error');

  return (
    <>
      <h1>Union Eyes ML console</h1>
      {refused ? (
        <p className="error" role="alert" data-testid="error-message">
          Sign-in refused: {refused}
        </p>
      ) : null}
      {config.error ? <ErrorMessage error={config.error} /> : null}
      {config.loading && !config.data ? <p className="muted">Loading…</p> : null}
      {config.data?.devLogin ? (
        <p className="banner" role="note">
          Development sign-in is on: anyone who can reach this page can sign in as any of these users. It must
          be off in production.
        </p>
      ) : null}
      {config.data?.oidc ? (
        <p>
          <a className="button primary" href="/auth/login">
            Sign in with your organisation
          </a>
        </p>
      ) : null}
      {config.data?.devLogin ? <DevSignIn onSignedIn={onSignedIn} /> : null}
      {config.data && !config.data.oidc && !config.data.devLogin ? (
        <p className="error" data-testid="error-message">
          No sign-in method is configured on this console.
        </p>
      ) : null}
    </>
  );
}

function DevSignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const users = useLoad((signal) => api.devUsers(signal).then((us) => [...us].sort(byRoleThenTenant)), []);
  const [chosen, setChosen] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const userId = chosen || users.data?.[0]?.userId || '';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!userId) return;
    setBusy(true);
    setFailure(null);
    try {
      onSignedIn(await api.devLogin(userId));
    } catch (err) {
      setFailure(err);
      setBusy(false);
    }
  };

  if (users.error) return <ErrorMessage error={users.error} />;
  if (!users.data) return <p className="muted">Loading users…</p>;
  return (
    <form className="panel" onSubmit={(e) => void submit(e)}>
      <h2>Development sign-in</h2>
      <div className="field">
        <label htmlFor="dev-user">User</label>
        <select
          id="dev-user"
          data-testid="dev-user-select"
          value={userId}
          onChange={(e) => setChosen(e.target.value)}
        >
          {users.data.map((u) => (
            <option key={u.userId} value={u.userId}>
              {userLabel(u)}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="primary" data-testid="dev-signin" disabled={busy || !userId}>
        Sign in
      </button>
      {failure ? <ErrorMessage error={failure} /> : null}
    </form>
  );
}
