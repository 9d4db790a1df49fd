import type { ChallengerEvidence, ChallengerRow, ModelDetail } from '../../../src/api/types';
import { fmtNum, humanize } from '../ui';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Who the discordant pairs favour so far: the sign the test's decision would take. */
function leaning(t: { discordantPairs: number; challengerWins: number }): string {
  const losses = t.discordantPairs - t.challengerWins;
  if (t.challengerWins === losses) return 'neither';
  return t.challengerWins > losses ? 'the challenger' : 'the champion';
}

/**
 * The model's shadow trials (issue 19): the challenger on trial with its figures against the test's
 * threshold, and the trials that ended with their verdict and why.
 */
export function ChallengerPanel({ detail }: { detail: ModelDetail }) {
  const running = detail.challengers.find((c) => c.state === 'running');
  const ended = detail.challengers.filter((c) => c.state !== 'running');
  return (
    <section aria-labelledby="challenger-heading" className="panel" data-testid="challenger-panel">
      <h2 id="challenger-heading">Shadow challenger</h2>
      {running ? (
        <Running trial={running} threshold={detail.shadow.threshold} maxDays={detail.shadow.maxDays} />
      ) : (
        <p className="muted">No challenger on trial.</p>
      )}
      {ended.length > 0 ? <Ended trials={ended} /> : null}
    </section>
  );
}

function Running({
  trial: t,
  threshold,
  maxDays,
}: {
  trial: ChallengerRow;
  threshold: number;
  maxDays: number;
}) {
  return (
    <div data-testid="challenger-running">
      <p>
        <strong>v{t.version}</strong> beside the champion v{t.championVersion} since {t.startedOn} (
        {plural(t.days, 'day', 'days')} of at most {maxDays}); its answers are stored, not used.
      </p>
      <dl className="figures">
        <div>
          <dt>Labelled pairs</dt>
          <dd>{t.labelledPairs}</dd>
        </div>
        <div>
          <dt>Discordant pairs</dt>
          <dd>{t.discordantPairs}</dd>
        </div>
        <div>
          <dt>Challenger right</dt>
          <dd>
            {t.challengerWins} of {t.discordantPairs}
          </dd>
        </div>
        <div>
          <dt>ln Λ</dt>
          <dd data-testid="challenger-llr">
            {fmtNum(t.logLikelihoodRatio, 2)} of {fmtNum(threshold, 2)}
          </dd>
        </div>
        <div>
          <dt>Always-valid p</dt>
          <dd>{t.alwaysValidP.toPrecision(2)}</dd>
        </div>
      </dl>
      <p className="small muted">
        The test decides when ln Λ reaches {fmtNum(threshold, 2)}, for whichever side wins most discordant
        pairs (so far: {leaning(t)}).{' '}
        {t.evaluatedOn ? `Last evaluated ${t.evaluatedOn}.` : 'Not evaluated yet.'}
      </p>
    </div>
  );
}

function Ended({ trials }: { trials: ChallengerRow[] }) {
  return (
    <>
      <h3>Ended trials</h3>
      <div className="table-wrap">
        <table data-testid="challenger-trials">
          <thead>
            <tr>
              <th scope="col">Challenger</th>
              <th scope="col">Started</th>
              <th scope="col">Decided</th>
              <th scope="col">Decision</th>
              <th scope="col">Pairs</th>
              <th scope="col">ln Λ</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {trials.map((t) => (
              <tr key={t.id}>
                <td className="num">
                  v{t.version} <span className="small muted">vs v{t.championVersion}</span>
                </td>
                <td>{t.startedOn}</td>
                <td>
                  {t.decidedOn ?? '—'} <span className="small muted">({plural(t.days, 'day', 'days')})</span>
                </td>
                <td className={t.state === 'promoted' ? 'pass' : undefined}>
                  {humanize(t.decision ?? t.state)}
                </td>
                <td className="num">
                  {t.challengerWins}/{t.discordantPairs}{' '}
                  <span className="small muted">of {t.labelledPairs}</span>
                </td>
                <td className="num">{fmtNum(t.logLikelihoodRatio, 2)}</td>
                <td className="wrap small">{t.reason ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** A promotion's evidence in a line, under its deployment. */
export function EvidenceLine({ e }: { e: ChallengerEvidence }) {
  return (
    <div className="small muted" data-testid="promotion-evidence">
      Shadow trial {e.startedOn} to {e.decidedOn} ({plural(e.days, 'day', 'days')}): challenger right in{' '}
      {e.challengerWins} of {e.discordantPairs} discordant pairs ({e.labelledPairs} labelled), ln Λ{' '}
      {fmtNum(e.logLikelihoodRatio, 2)}
    </div>
  );
}
