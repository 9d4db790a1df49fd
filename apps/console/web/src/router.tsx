import { useSyncExternalStore } from 'react';
import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import type { ModelType } from '../../src/api/types';
import { CONSOLE_MODEL_TYPES } from './contract';

export type Route =
  | { name: 'signin' }
  | { name: 'fleet' }
  | { name: 'alerts' }
  | { name: 'model'; tenantId: string; modelType: ModelType }
  | { name: 'notFound' };

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { name: 'fleet' };
  if (path === '/signin') return { name: 'signin' };
  if (path === '/alerts') return { name: 'alerts' };
  const m = /^\/tenants\/([^/]+)\/models\/([^/]+)$/.exec(path);
  if (m) {
    const modelType = decodeURIComponent(m[2]);
    const known = CONSOLE_MODEL_TYPES.find((t) => t === modelType);
    if (known) return { name: 'model', tenantId: decodeURIComponent(m[1]), modelType: known };
  }
  return { name: 'notFound' };
}

// pushState fires no event of its own: navigate() announces it so useRoute() re-renders.
const NAVIGATED = 'console:navigate';

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATED));
  window.scrollTo(0, 0);
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATED, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATED, onChange);
  };
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function modelHref(tenantId: string, modelType: ModelType): string {
  return `/tenants/${encodeURIComponent(tenantId)}/models/${encodeURIComponent(modelType)}`;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

/** A real link (open in a new tab works), followed in-page on a plain click. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const follow = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={follow} {...rest} />;
}
