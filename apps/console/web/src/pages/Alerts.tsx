import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import type { AlertRow } from '../../../src/api/types';
import { api, subscribeAlerts } from '../api';
import { useAlertCount } from '../alertCount';
import { Link, modelHref } from '../router';
import {
  ErrorMessage,
  MODEL_LABELS,
  Pager,
  SeverityBadge,
  fmtDateTime,
  humanize,
  useLoad,
  useTitle,
} from '../ui';

const PAGE_SIZE = 50;
type Status = 'unacknowledged' | 'all';

export function AlertsPage() {
  useTitle('Alerts');
  const [status, setStatus] = useState<Status>('unacknowledged');
  const [page, setPage] = useState(1);
  const alerts = useLoad(
    (signal) => api.alerts({ status, page, pageSize: PAGE_SIZE }, signal),
    [status, page],
  );
  const setBadge = useAlertCount().set;
  const data = alerts.data;
  const setData = alerts.setData;

  // The page's count is the server's, kept current by the stream and by acknowledgements below, so the
  // header's badge follows it rather than keeping a tally of its own.
  useEffect(() => {
    if (data) setBadge(data.unacknowledged);
  }, [data, setBadge]);

  // New alerts are unacknowledged, so they belong at the top of the first page in either view.
  useEffect(
    () =>
      subscribeAlerts((alert) =>
        setData((p) => {
          if (p.rows.some((r) => r.id === alert.id)) return p;
          const rows = p.page === 1 ? [alert, ...p.rows] : p.rows;
          return { ...p, rows, total: p.total + 1, unacknowledged: p.unacknowledged + 1 };
        }),
      ),
    [setData],
  );

  const acknowledged = (row: AlertRow) => {
    setData((p) => ({
      ...p,
      rows: p.rows.map((r) => (r.id === row.id ? row : r)),
      unacknowledged: Math.max(0, p.unacknowledged - 1),
    }));
  };

  const choose = (s: Status) => {
    setStatus(s);
    setPage(1);
  };

  return (
    <>
      <h1>Alerts</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <fieldset className="toggle">
          <legend>Show</legend>
          <label>
            <input
              type="radio"
              name="alert-status"
              value="unacknowledged"
              checked={status === 'unacknowledged'}
              onChange={() => choose('unacknowledged')}
            />
            Unacknowledged
          </label>
          <label>
            <input
              type="radio"
              name="alert-status"
              value="all"
              checked={status === 'all'}
              onChange={() => choose('all')}
            />
            All
          </label>
        </fieldset>
        <p className="muted" aria-live="polite">
          {alerts.loading
            ? 'Loading…'
            : data
              ? `${data.unacknowledged} unacknowledged · ${data.total} shown in all`
              : ''}
        </p>
      </form>

      {alerts.error ? <ErrorMessage error={alerts.error} /> : null}
      {data ? (
        <>
          <div className="table-wrap">
            <table data-testid="alerts-table" aria-busy={alerts.loading}>
              <caption className="sr-only">Alerts, unacknowledged first, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Tenant</th>
                  <th scope="col">Model</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Sent to</th>
                  <th scope="col">Acknowledged</th>
                </tr>
              </thead>
              <tbody>
                {data.rows.map((r) => (
                  <Row key={r.id} row={r} onAcknowledged={acknowledged} />
                ))}
                {data.rows.length === 0 ? (
                  <tr>
                    <td colSpan={7} className="muted">
                      {status === 'unacknowledged' ? 'Nothing waits for acknowledgement.' : 'No alerts.'}
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
          <Pager
            label="Alert pages"
            page={data.page}
            pageSize={data.pageSize}
            total={data.total}
            onPage={setPage}
          />
        </>
      ) : null}
    </>
  );
}

function Row({ row, onAcknowledged }: { row: AlertRow; onAcknowledged: (row: AlertRow) => void }) {
  return (
    <tr data-testid="alert-row" data-alert-id={row.id} className={row.acknowledged ? undefined : 'unacked'}>
      <td>{fmtDateTime(row.createdAt)}</td>
      <td>{row.tenantId}</td>
      <td>
        {row.models.length > 0 ? (
          <ul className="plain">
            {row.models.map((m) => (
              <li key={m}>
                <Link to={modelHref(row.tenantId, m)}>{MODEL_LABELS[m]}</Link>
              </li>
            ))}
          </ul>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>
        <SeverityBadge severity={row.severity} />
      </td>
      <td>
        <div>{row.subject}</div>
        <div className="small muted">{humanize(row.eventType)}</div>
      </td>
      <td className="wrap">
        <Deliveries row={row} />
      </td>
      <td>
        {row.acknowledged ? (
          <div data-testid="ack-by">
            <div>By {row.acknowledged.by}</div>
            <div className="small">{fmtDateTime(row.acknowledged.at)}</div>
            {row.acknowledged.note ? <div className="small">“{row.acknowledged.note}”</div> : null}
          </div>
        ) : (
          <AckForm row={row} onDone={onAcknowledged} />
        )}
      </td>
    </tr>
  );
}

/** Who was told: one line per channel, its recipients after it (a digest goes to a handful of people). */
function Deliveries({ row }: { row: AlertRow }) {
  const byChannel = new Map<string, string[]>();
  for (const d of row.deliveries) byChannel.set(d.channel, [...(byChannel.get(d.channel) ?? []), d.recipient]);
  return (
    <ul className="plain">
      {[...byChannel].map(([channel, recipients]) => (
        <li key={channel}>
          {humanize(channel)} · {recipients.join(', ')}
        </li>
      ))}
    </ul>
  );
}

function AckForm({ row, onDone }: { row: AlertRow; onDone: (row: AlertRow) => void }) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const noteId = `ack-note-${row.id}`;

  if (!open) {
    return (
      <button type="button" data-testid="ack-open" onClick={() => setOpen(true)}>
        Acknowledge
        <span className="sr-only">: {row.subject}</span>
      </button>
    );
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      onDone(await api.ack(row.id, note.trim() ? { note: note.trim() } : {}));
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <form className="ack-form" onSubmit={(e) => void submit(e)}>
      <label htmlFor={noteId}>Note (optional)</label>
      <textarea
        id={noteId}
        data-testid="ack-note"
        rows={2}
        value={note}
        autoFocus
        onChange={(e) => setNote(e.target.value)}
      />
      <div className="buttons">
        <button type="submit" className="primary" data-testid="ack-confirm" disabled={busy}>
          Confirm
        </button>
        <button type="button" onClick={() => setOpen(false)} disabled={busy}>
          Cancel
        </button>
      </div>
      {problem ? (
        <p className="error" role="alert">
          {problem}
        </p>
      ) : null}
    </form>
  );
}
