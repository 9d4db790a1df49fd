import { Suspense, lazy, useCallback, useEffect, useMemo, useState } from 'react';
import type { Me } from '../../src/api/types';
import { AlertCountContext } from './alertCount';
import type { AlertCount } from './alertCount';
import { api, setCsrfToken, subscribeAlerts } from './api';
import { AlertsPage } from './pages/Alerts';
import { FleetPage } from './pages/Fleet';
import { SignInPage } from './pages/SignIn';
import { Link, navigate, parseRoute, usePathname } from './router';
import type { Route } from './router';
import { ErrorMessage, useLoad, useTitle } from './ui';

export function App() {
  const pathname = usePathname();
  const route = useMemo(() => parseRoute(pathname), [pathname]);
  const [me, setMe] = useState<Me | null>(null);

  const signedIn = useCallback((who: Me) => {
    setCsrfToken(who.csrfToken);
    setMe(who);
    navigate('/');
  }, []);

  if (route.name === 'signin') {
    return (
      <main id="main" className="signin">
        <SignInPage onSignedIn={signedIn} />
      </main>
    );
  }
  if (!me) return <LoadMe onLoaded={setMe} />;
  return <Shell me={me} route={route} onSignedOut={() => setMe(null)} />;
}

function LoadMe({ onLoaded }: { onLoaded: (me: Me) => void }) {
  const { data, error } = useLoad((signal) => api.me(signal), []);
  useEffect(() => {
    if (data) {
      setCsrfToken(data.csrfToken);
      onLoaded(data);
    }
  }, [data, onLoaded]);
  return <main id="main">{error ? <ErrorMessage error={error} /> : <p className="muted">Loading…</p>}</main>;
}

function Shell({ me, route, onSignedOut }: { me: Me; route: Route; onSignedOut: () => void }) {
  const [count, setCount] = useState<number | null>(null);
  const alertCount = useMemo<AlertCount>(() => ({ count, set: setCount }), [count]);

  useEffect(() => {
    const ctrl = new AbortController();
    api.alerts({ status: 'unacknowledged', page: 1, pageSize: 1 }, ctrl.signal).then(
      (p) => setCount(p.unacknowledged),
      () => {}, // the badge is a convenience: without it the header still works
    );
    const unsubscribe = subscribeAlerts(() => setCount((c) => (c === null ? c : c + 1)));
    return () => {
      ctrl.abort();
      unsubscribe();
    };
  }, []);

  return (
    <AlertCountContext.Provider value={alertCount}>
      <Header me={me} route={route} count={count} onSignedOut={onSignedOut} />
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </AlertCountContext.Provider>
  );
}

// Chart.js is most of the bundle and only the model page draws charts: it loads with that page.
const ModelPage = lazy(() => import('./pages/Model').then((m) => ({ default: m.ModelPage })));

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'fleet':
      return <FleetPage />;
    case 'alerts':
      return <AlertsPage />;
    case 'model':
      // Keyed so moving to another model starts from a blank page, not the last model's charts.
      return (
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <ModelPage
            key={`${route.tenantId}/${route.modelType}`}
            tenantId={route.tenantId}
            modelType={route.modelType}
          />
        </Suspense>
      );
    case 'signin':
    case 'notFound':
      return <NotFound />;
  }
}

function NotFound() {
  useTitle('Not found');
  return (
    <>
      <h1>Not found</h1>
      <div className="error" role="alert" data-testid="error-message">
        <p>
          <strong>Not found or not yours.</strong> There is no page at this address.
        </p>
        <p>
          <Link to="/">Back to the fleet</Link>
        </p>
      </div>
    </>
  );
}

function Header(props: { me: Me; route: Route; count: number | null; onSignedOut: () => void }) {
  const { me, route, count, onSignedOut } = props;
  const [tenantName, setTenantName] = useState<string | null>(null);
  const [signingOut, setSigningOut] = useState(false);

  useEffect(() => {
    if (!me.tenantId) return;
    const ctrl = new AbortController();
    api.tenants(ctrl.signal).then(
      (ts) => setTenantName(ts.find((t) => t.id === me.tenantId)?.name ?? null),
      () => {}, // the tenant id is shown instead
    );
    return () => ctrl.abort();
  }, [me.tenantId]);

  const signOut = async () => {
    setSigningOut(true);
    try {
      await api.logout();
    } catch {
      // Signed out already, or the session is gone: the sign-in page is right either way.
    }
    navigate('/signin');
    onSignedOut();
  };

  const role = me.role === 'operator' ? 'Operator' : `Tenant admin · ${tenantName ?? me.tenantId ?? ''}`;
  return (
    <header className="topbar">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Link to="/" className="brand">
        Union Eyes ML console
      </Link>
      <nav aria-label="Main">
        <ul>
          <li>
            <Link to="/" aria-current={route.name === 'fleet' ? 'page' : undefined}>
              Fleet
            </Link>
          </li>
          <li>
            <Link to="/alerts" aria-current={route.name === 'alerts' ? 'page' : undefined}>
              Alerts
              {count !== null && (
                <span className="count" data-testid="alert-count">
                  {count}
                  <span className="sr-only"> unacknowledged</span>
                </span>
              )}
            </Link>
          </li>
        </ul>
      </nav>
      <div className="who">
        <span className="name">{me.name}</span>
        <span className="role">{role}</span>
        <button type="button" data-testid="signout" disabled={signingOut} onClick={() => void signOut()}>
          Sign out
        </button>
      </div>
    </header>
  );
}
