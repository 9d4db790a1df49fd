import { useState } from 'react';
import type { FleetRow, ModelState, ModelType } from '../../../src/api/types';
import { api } from '../api';
import { CONSOLE_MODEL_TYPES, MODEL_STATES } from '../contract';
import { Link, modelHref } from '../router';
import {
  ErrorMessage,
  MODEL_LABELS,
  Pager,
  STATE_LABELS,
  StateBadge,
  fmtInterval,
  fmtNum,
  humanize,
  useDebounced,
  useLoad,
  useTitle,
} from '../ui';

const PAGE_SIZE = 50;

export function FleetPage() {
  useTitle('Fleet');
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 300);
  const [state, setState] = useState<ModelState | ''>('');
  const [model, setModel] = useState<ModelType | ''>('');
  const [page, setPage] = useState(1);
  // A new filter starts from its first page; keyed on the filters so the reset happens in the same render.
  const [filterKey, setFilterKey] = useState('');
  const key = `${q}|${state}|${model}`;
  if (key !== filterKey) {
    setFilterKey(key);
    setPage(1);
  }

  const fleet = useLoad(
    (signal) => api.fleet({ page, pageSize: PAGE_SIZE, q, state, model }, signal),
    [page, q, state, model],
  );
  const data = fleet.data;

  return (
    <>
      <h1>Fleet</h1>
      <section aria-labelledby="states-heading">
        <h2 id="states-heading" className="sr-only">
          Models by state
        </h2>
        <ul className="tiles">
          {MODEL_STATES.map((s) => (
            <li key={s}>
              <button
                type="button"
                className={`tile state-${s}`}
                aria-pressed={state === s}
                onClick={() => setState(state === s ? '' : s)}
              >
                <span className="tile-count">{data ? data.counts[s] : '…'}</span>
                <span className="tile-label">{STATE_LABELS[s]}</span>
              </button>
            </li>
          ))}
        </ul>
      </section>

      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="fleet-search">Tenant</label>
          <input
            id="fleet-search"
            type="search"
            data-testid="fleet-search"
            placeholder="Name or id"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="fleet-state">State</label>
          <select
            id="fleet-state"
            value={state}
            onChange={(e) => setState(MODEL_STATES.find((s) => s === e.target.value) ?? '')}
          >
            <option value="">Any state</option>
            {MODEL_STATES.map((s) => (
              <option key={s} value={s}>
                {STATE_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="fleet-model">Model</label>
          <select
            id="fleet-model"
            value={model}
            onChange={(e) => setModel(CONSOLE_MODEL_TYPES.find((m) => m === e.target.value) ?? '')}
          >
            <option value="">Any model</option>
            {CONSOLE_MODEL_TYPES.map((m) => (
              <option key={m} value={m}>
                {MODEL_LABELS[m]}
              </option>
            ))}
          </select>
        </div>
        <p className="muted" aria-live="polite">
          {fleet.loading ? 'Loading…' : data ? `${data.total} models` : ''}
        </p>
      </form>

      {fleet.error ? <ErrorMessage error={fleet.error} /> : null}
      {data ? (
        <>
          <div className="table-wrap">
            <table data-testid="fleet-table" aria-busy={fleet.loading}>
              <caption className="sr-only">Models, worst state first</caption>
              <thead>
                <tr>
                  <th scope="col">Tenant</th>
                  <th scope="col">Model</th>
                  <th scope="col">State</th>
                  <th scope="col">Active version</th>
                  <th scope="col">Last check</th>
                  <th scope="col">Open episode</th>
                  <th scope="col">Unacknowledged alerts</th>
                </tr>
              </thead>
              <tbody>
                {data.rows.map((r) => (
                  <Row key={`${r.tenantId}/${r.modelType}`} row={r} />
                ))}
                {data.rows.length === 0 ? (
                  <tr>
                    <td colSpan={7} className="muted">
                      No model matches these filters.
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
          <Pager
            label="Fleet pages"
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

function Row({ row }: { row: FleetRow }) {
  const c = row.lastCheck;
  const e = row.openEpisode;
  return (
    <tr data-testid="fleet-row" data-tenant={row.tenantId} data-model={row.modelType}>
      <td>
        <div>{row.tenantName}</div>
        <div className="muted small">{row.tenantId}</div>
      </td>
      <td>
        <Link to={modelHref(row.tenantId, row.modelType)}>
          {MODEL_LABELS[row.modelType]}
          <span className="sr-only"> of {row.tenantName}</span>
        </Link>
      </td>
      <td>
        <StateBadge state={row.state} />
      </td>
      <td className="num">
        {row.activeVersion === null ? '—' : `v${row.activeVersion}`}
        {row.challengerVersion === null ? null : (
          <span className="badge challenger" data-testid="challenger-badge">
            challenger v{row.challengerVersion}
          </span>
        )}
      </td>
      <td>
        {c ? (
          <>
            <div>
              {c.logicalDate} · {humanize(c.decision)}
            </div>
            <div className="small">
              Max PSI {fmtNum(c.maxPsi)}
              {c.maxPsiFeature ? ` (${c.maxPsiFeature})` : ''}
            </div>
            <div className="small">
              Accuracy {fmtInterval(c.accuracy)}
              {c.accuracySource ? ` ${c.accuracySource}` : ''}
            </div>
          </>
        ) : (
          <span className="muted">Never checked</span>
        )}
      </td>
      <td>
        {e ? (
          <>
            <div>{humanize(e.condition)}</div>
            <div className="small">
              Since {e.startedOn} · {e.days} {e.days === 1 ? 'day' : 'days'} · {e.retrains}{' '}
              {e.retrains === 1 ? 'retrain' : 'retrains'}
            </div>
          </>
        ) : (
          <span className="muted">None</span>
        )}
      </td>
      <td className="num">{row.unacknowledgedAlerts}</td>
    </tr>
  );
}
