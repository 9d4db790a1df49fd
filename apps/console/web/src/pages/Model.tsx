import type { DeploymentRow, ModelType, TrainingRunRow } from '../../../src/api/types';
import { api } from '../api';
import { Link } from '../router';
import {
  ErrorMessage,
  MODEL_LABELS,
  StateBadge,
  fmtDateTime,
  fmtNum,
  humanize,
  useLoad,
  useTitle,
} from '../ui';
import { ActionsPanel } from './ModelActions';
import { ChallengerPanel, EvidenceLine } from './ModelChallenger';
import { DriftCharts, HistogramSection } from './ModelCharts';

const DAYS = 180;

export function ModelPage({ tenantId, modelType }: { tenantId: string; modelType: ModelType }) {
  const detail = useLoad((signal) => api.model(tenantId, modelType, DAYS, signal), []);
  const d = detail.data;
  useTitle(d ? `${d.tenantName} · ${MODEL_LABELS[modelType]}` : MODEL_LABELS[modelType]);

  if (!d) {
    return (
      <>
        <p className="crumbs">
          <Link to="/">Fleet</Link>
        </p>
        <h1>
          {MODEL_LABELS[modelType]} of {tenantId}
        </h1>
        {detail.error ? <ErrorMessage error={detail.error} /> : <p className="muted">Loading…</p>}
      </>
    );
  }

  return (
    <>
      <p className="crumbs">
        <Link to="/">Fleet</Link>
      </p>
      <div className="page-head">
        <h1>
          {d.tenantName}: {MODEL_LABELS[d.modelType]}
        </h1>
        <StateBadge state={d.state} />
      </div>
      <p className="facts">
        <span>Tenant {d.tenantId}</span>
        <span>Active version {d.activeVersion === null ? 'none' : `v${d.activeVersion}`}</span>
        <span>
          Thresholds: accuracy {fmtNum(d.thresholds.accuracy, 2)}, PSI {fmtNum(d.thresholds.psiModerate, 2)} /{' '}
          {fmtNum(d.thresholds.psi, 2)}
        </span>
        <button type="button" onClick={detail.reload} disabled={detail.loading}>
          Refresh
        </button>
      </p>
      {detail.error ? <ErrorMessage error={detail.error} /> : null}

      <DriftCharts detail={d} days={DAYS} />
      <HistogramSection
        tenantId={d.tenantId}
        modelType={d.modelType}
        dates={d.checks.map((c) => c.logicalDate)}
      />
      <TrainingRuns runs={d.trainingRuns} />
      <ChallengerPanel detail={d} />
      <Deployments rows={d.deployments} />
      <ActionsPanel detail={d} />
    </>
  );
}

function Passed({ passed }: { passed: boolean }) {
  return (
    <span className={passed ? 'pass' : 'fail'}>
      <span aria-hidden="true">{passed ? '✓' : '✗'}</span> {passed ? 'passed' : 'failed'}
    </span>
  );
}

function TrainingRuns({ runs }: { runs: TrainingRunRow[] }) {
  return (
    <section aria-labelledby="runs-heading">
      <h2 id="runs-heading">Training runs</h2>
      {runs.length === 0 ? (
        <p className="muted">No training runs in this period.</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="training-runs">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Trigger</th>
                <th scope="col">Status</th>
                <th scope="col">Candidate</th>
                <th scope="col">Accuracy</th>
                <th scope="col">Samples</th>
                <th scope="col">Verdict</th>
                <th scope="col">Gates</th>
                <th scope="col">Reasons</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id}>
                  <td>
                    <div>{fmtDateTime(r.startedAt)}</div>
                    {r.completedAt ? (
                      <div className="small muted">done {fmtDateTime(r.completedAt)}</div>
                    ) : null}
                  </td>
                  <td>{humanize(r.trigger)}</td>
                  <td>
                    {humanize(r.status)}
                    {r.error ? <div className="small fail">{r.error}</div> : null}
                  </td>
                  <td className="num">{r.candidateVersion === null ? '—' : `v${r.candidateVersion}`}</td>
                  <td className="num">{fmtNum(r.accuracy)}</td>
                  <td className="num">{r.samples ?? '—'}</td>
                  <td>
                    {r.verdict ? (
                      <>
                        <Passed passed={r.verdict.passed} />
                        <div className="small">{humanize(r.verdict.decision)}</div>
                      </>
                    ) : (
                      <span className="muted">Not validated yet</span>
                    )}
                  </td>
                  <td>
                    {r.verdict && r.verdict.gates.length > 0 ? (
                      <ul className="gates">
                        {r.verdict.gates.map((g) => (
                          <li key={g.gate}>
                            <Passed passed={g.passed} /> <strong>{humanize(g.gate)}</strong>
                            {g.detail ? <span className="small"> — {g.detail}</span> : null}
                          </li>
                        ))}
                      </ul>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    {r.verdict && r.verdict.reasons.length > 0 ? (
                      <ul className="reasons">
                        {r.verdict.reasons.map((reason, i) => (
                          <li key={i}>{reason}</li>
                        ))}
                      </ul>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Deployments({ rows }: { rows: DeploymentRow[] }) {
  return (
    <section aria-labelledby="deployments-heading">
      <h2 id="deployments-heading">Deployments</h2>
      {rows.length === 0 ? (
        <p className="muted">No version has been deployed.</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="deployments">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Replaced</th>
                <th scope="col">Active</th>
                <th scope="col">Accuracy</th>
                <th scope="col">Deployed at</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                // A version can be deployed more than once (rolled back to): the deployment is the key.
                <tr key={`${r.version}@${r.deployedAt ?? ''}`} className={r.active ? 'active' : undefined}>
                  <td className="num">v{r.version}</td>
                  <td className="num">{r.fromVersion === null ? '—' : `v${r.fromVersion}`}</td>
                  <td>{r.active ? <strong>Active</strong> : 'No'}</td>
                  <td className="num">{fmtNum(r.accuracy)}</td>
                  <td>{fmtDateTime(r.deployedAt)}</td>
                  <td>
                    {r.reason ?? '—'}
                    {r.evidence ? <EvidenceLine e={r.evidence} /> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
