import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { DependencyList, ReactNode } from 'react';
import type { AlertSeverity, Interval, ModelState, ModelType } from '../../src/api/types';
import { ApiFailure } from './api';
import { PRODUCT } from './contract';
import { Link } from './router';

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · ${PRODUCT}`;
  }, [title]);
}

interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
}

/**
 * Runs `load` whenever `deps` change, aborting the previous request so a slow answer to an old search
 * never overwrites a newer one. The previous data stays on screen while the next loads.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList) {
  const [state, setState] = useState<Loaded<T>>({ data: undefined, error: undefined, loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const ctrl = new AbortController();
    setState((s) => ({ data: s.data, error: undefined, loading: true }));
    load(ctrl.signal).then(
      (data) => setState({ data, error: undefined, loading: false }),
      (error: unknown) => {
        if (!ctrl.signal.aborted) setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
    return () => ctrl.abort();
    // `load` is a fresh closure each render; the caller's deps say when it means something new.
  }, [...deps, generation]);
  const setData = useCallback((update: (data: T) => T) => {
    setState((s) => (s.data === undefined ? s : { ...s, data: update(s.data) }));
  }, []);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, setData, reload };
}

/** How long a search box waits for the typing to stop before asking the server. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export const STATE_LABELS: Record<ModelState, string> = {
  failing: 'Failing',
  retraining: 'Retraining',
  drifting: 'Drifting',
  awaiting_labels: 'Awaiting labels',
  healthy: 'Healthy',
  unknown: 'Unknown',
};

export const MODEL_LABELS: Record<ModelType, string> = {
  claim_outcome: 'Claim outcome',
  timeline: 'Timeline',
  churn_risk: 'Churn risk',
  assignment: 'Assignment',
};

// The badge's text says the state; its colour only repeats it.
export function StateBadge({ state }: { state: ModelState }) {
  return <span className={`badge state-${state}`}>{STATE_LABELS[state]}</span>;
}

export function SeverityBadge({ severity }: { severity: AlertSeverity }) {
  return (
    <span className={`badge severity-${severity}`}>{severity === 'failure' ? 'Failure' : 'Warning'}</span>
  );
}

/** `2026-11-30 02:00 UTC`: the platform's days are UTC days, so its times are shown in UTC too. */
export function fmtDateTime(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function fmtNum(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined ? '—' : x.toFixed(digits);
}

export function fmtInterval(i: Interval | null): string {
  if (!i) return '—';
  const band = i.low !== null && i.high !== null ? ` [${fmtNum(i.low)}–${fmtNum(i.high)}]` : '';
  return `${fmtNum(i.value)}${band} (n=${i.n})`;
}

export function humanize(s: string): string {
  return s.replace(/_/g, ' ');
}

export function ErrorMessage({ error }: { error: unknown }) {
  const hidden = error instanceof ApiFailure && (error.status === 403 || error.status === 404);
  if (hidden) {
    return (
      <div className="error" role="alert" data-testid="error-message">
        <p>
          <strong>Not found or not yours.</strong> It does not exist, or your account may not see it.
        </p>
        <p>
          <Link to="/">Back to the fleet</Link>
        </p>
      </div>
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  const status = error instanceof ApiFailure ? ` (${error.status})` : '';
  return (
    <div className="error" role="alert" data-testid="error-message">
      <p>
        <strong>Something went wrong{status}:</strong> {message}
      </p>
    </div>
  );
}

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  confirmTestId: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** A modal <dialog>: the browser traps focus and makes the page behind it inert; Escape cancels. */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { open, title, children, confirmLabel, confirmTestId, busy, onConfirm, onCancel } = props;
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      // Cancel first: Enter on a half-read dialog should not roll a model back.
      cancelRef.current?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
      <div className="buttons">
        <button
          type="button"
          className="primary"
          data-testid={confirmTestId}
          disabled={busy}
          onClick={onConfirm}
        >
          {confirmLabel}
        </button>
        <button type="button" ref={cancelRef} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}

export function Pager(props: {
  label: string;
  page: number;
  pageSize: number;
  total: number;
  onPage: (p: number) => void;
}) {
  const { label, page, pageSize, total, onPage } = props;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span>
        Page {page} of {pages} · {total} in all
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}
