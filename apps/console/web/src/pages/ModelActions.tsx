import { useState } from 'react';
import type { FormEvent } from 'react';
import type { ActionAccepted, ModelDetail, Recipient } from '../../../src/api/types';
import { api } from '../api';
import { ConfirmDialog, MODEL_LABELS, fmtDateTime, fmtNum, useLoad } from '../ui';

interface Outcome {
  ok: boolean;
  text: string;
}

function failureText(what: string, err: unknown): string {
  return `${what} failed: ${err instanceof Error ? err.message : String(err)}`;
}

function acceptedText(a: ActionAccepted): string {
  return `${a.action === 'rollback' ? 'Rollback' : 'Retrain'} requested (correlation id ${a.correlationId})`;
}

/** Shown to everyone who can see the model: the server decides who may act, and says so if not. */
export function ActionsPanel({ detail }: { detail: ModelDetail }) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  return (
    <section aria-labelledby="actions-heading" className="panel">
      <h2 id="actions-heading">Actions</h2>
      <div className="actions">
        <RollbackForm detail={detail} onOutcome={setOutcome} />
        <RetrainForm detail={detail} onOutcome={setOutcome} />
      </div>
      {/* Always present, so a screen reader announces the outcome when it appears. */}
      <div aria-live="polite">
        {outcome ? (
          <p data-testid="action-result" className={outcome.ok ? 'result ok' : 'result error'}>
            {outcome.text}
          </p>
        ) : null}
      </div>
      <Recipients tenantId={detail.tenantId} />
    </section>
  );
}

type ActionProps = { detail: ModelDetail; onOutcome: (o: Outcome) => void };

/**
 * What both actions share: a required reason, a confirmation before anything is sent, and the outcome
 * (the server's acceptance with its correlation id, or its refusal) reported to the panel.
 */
function useConfirmedAction(
  what: string,
  send: (reason: string) => Promise<ActionAccepted>,
  onOutcome: (o: Outcome) => void,
) {
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [invalid, setInvalid] = useState(false);

  const open = (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setConfirming(true);
  };

  const confirm = async () => {
    setBusy(true);
    try {
      onOutcome({ ok: true, text: acceptedText(await send(reason.trim())) });
      setReason('');
    } catch (err) {
      onOutcome({ ok: false, text: failureText(what, err) });
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  return { reason, setReason, confirming, setConfirming, busy, invalid, open, confirm };
}

function RollbackForm({ detail, onOutcome }: ActionProps) {
  const active = detail.activeVersion;
  // Each earlier version once (a version may have been deployed more than once), its latest deployment.
  const earlier = [
    ...new Map(
      detail.deployments
        .filter((d) => active === null || d.version < active)
        .map((d) => [d.version, d] as const)
        .reverse(),
    ).values(),
  ].sort((a, b) => b.version - a.version);
  const [version, setVersion] = useState(earlier[0] ? String(earlier[0].version) : '');
  const { reason, setReason, confirming, setConfirming, busy, invalid, open, confirm } = useConfirmedAction(
    'Rollback',
    (why) =>
      api.rollback(detail.tenantId, detail.modelType, {
        toVersion: version ? Number(version) : undefined,
        reason: why,
      }),
    onOutcome,
  );

  return (
    <form className="action" onSubmit={open} noValidate>
      <h3>Roll back</h3>
      <div className="field">
        <label htmlFor="rollback-version">To version</label>
        <select
          id="rollback-version"
          data-testid="rollback-version"
          value={version}
          onChange={(e) => setVersion(e.target.value)}
        >
          {earlier.length === 0 ? <option value="">No earlier version</option> : null}
          {earlier.map((d) => (
            <option key={d.version} value={String(d.version)}>
              v{d.version} (accuracy {fmtNum(d.accuracy)}, deployed {fmtDateTime(d.deployedAt)})
            </option>
          ))}
        </select>
      </div>
      <ReasonField id="rollback-reason" value={reason} onChange={setReason} invalid={invalid} />
      <button type="submit" data-testid="rollback-open">
        Roll back…
      </button>
      <ConfirmDialog
        open={confirming}
        title="Roll back this model?"
        confirmLabel="Confirm rollback"
        confirmTestId="rollback-confirm"
        busy={busy}
        onConfirm={() => void confirm()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          {detail.tenantName}, {MODEL_LABELS[detail.modelType]}: from{' '}
          {active === null ? 'no active version' : `v${active}`} to{' '}
          {version ? `v${version}` : 'the version before the active one'}. Every prediction from then on uses
          that version.
        </p>
        <p>Reason: {reason.trim()}</p>
      </ConfirmDialog>
    </form>
  );
}

function RetrainForm({ detail, onOutcome }: ActionProps) {
  const { reason, setReason, confirming, setConfirming, busy, invalid, open, confirm } = useConfirmedAction(
    'Retrain',
    (why) => api.retrain(detail.tenantId, detail.modelType, { reason: why }),
    onOutcome,
  );

  return (
    <form className="action" onSubmit={open} noValidate>
      <h3>Force a retrain</h3>
      <p className="small muted">Runs a drift check now and retrains whatever it finds.</p>
      <ReasonField id="retrain-reason" value={reason} onChange={setReason} invalid={invalid} />
      <button type="submit" data-testid="retrain-open">
        Retrain…
      </button>
      <ConfirmDialog
        open={confirming}
        title="Force a retrain?"
        confirmLabel="Confirm retrain"
        confirmTestId="retrain-confirm"
        busy={busy}
        onConfirm={() => void confirm()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          {detail.tenantName}, {MODEL_LABELS[detail.modelType]}: train a candidate now. It is deployed only if
          it passes validation.
        </p>
        <p>Reason: {reason.trim()}</p>
      </ConfirmDialog>
    </form>
  );
}

function ReasonField(props: { id: string; value: string; onChange: (v: string) => void; invalid: boolean }) {
  const errorId = `${props.id}-error`;
  return (
    <div className="field">
      <label htmlFor={props.id}>Reason (required)</label>
      <input
        id={props.id}
        data-testid={props.id}
        type="text"
        required
        value={props.value}
        aria-invalid={props.invalid}
        aria-describedby={props.invalid ? errorId : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.invalid ? (
        <p id={errorId} className="field-error">
          Say why: the reason is kept with the request.
        </p>
      ) : null}
    </div>
  );
}

const CHANNELS: readonly Recipient['channel'][] = ['email', 'slack', 'in_app', 'webhook'];
const CHANNEL_LABELS: Record<Recipient['channel'], string> = {
  email: 'Email',
  slack: 'Slack',
  in_app: 'In-app',
  webhook: 'Webhook',
};

function Recipients({ tenantId }: { tenantId: string }) {
  const list = useLoad((signal) => api.recipients(tenantId, signal), [tenantId]);
  const [name, setName] = useState('');
  const [channel, setChannel] = useState<Recipient['channel']>('email');
  const [address, setAddress] = useState('');
  const [kinds, setKinds] = useState('*');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const eventKinds = kinds
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean);
      const added = await api.addRecipient(tenantId, {
        name: name.trim(),
        channel,
        address: address.trim(),
        eventKinds,
      });
      list.setData((rs) => [...rs.filter((r) => r.id !== added.id), added]);
      setName('');
      setAddress('');
    } catch (err) {
      setProblem(failureText('Adding the recipient', err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (r: Recipient) => {
    setProblem(null);
    try {
      await api.removeRecipient(tenantId, r.id);
      list.setData((rs) => rs.filter((x) => x.id !== r.id));
    } catch (err) {
      setProblem(failureText(`Removing ${r.name}`, err));
    }
  };

  return (
    <div className="recipients">
      <h3>Recipients of {tenantId}'s alerts</h3>
      {list.error ? (
        <p className="error" role="alert">
          {failureText('Loading the recipients', list.error)}
        </p>
      ) : null}
      {list.data && list.data.length === 0 ? (
        <p className="muted">No recipients: the tenant's alerts go in-app to its ML administrators.</p>
      ) : null}
      {list.data && list.data.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="recipients-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Channel</th>
                <th scope="col">Address</th>
                <th scope="col">Event kinds</th>
                <th scope="col">Active</th>
                <th scope="col">
                  <span className="sr-only">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((r) => (
                <tr key={r.id} data-testid="recipient-row">
                  <td>{r.name}</td>
                  <td>{CHANNEL_LABELS[r.channel] ?? r.channel}</td>
                  <td className="wrap">{r.address}</td>
                  <td>{r.eventKinds.join(', ')}</td>
                  <td>{r.active ? 'Yes' : 'No'}</td>
                  <td>
                    <button type="button" aria-label={`Remove ${r.name}`} onClick={() => void remove(r)}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}

      <form className="recipient-form" onSubmit={(e) => void add(e)}>
        <h4>Add a recipient</h4>
        <div className="field">
          <label htmlFor="recipient-name">Name</label>
          <input id="recipient-name" required value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="recipient-channel">Channel</label>
          <select
            id="recipient-channel"
            value={channel}
            onChange={(e) => setChannel(CHANNELS.find((c) => c === e.target.value) ?? 'email')}
          >
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {CHANNEL_LABELS[c]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="recipient-address">Address</label>
          <input
            id="recipient-address"
            required
            value={address}
            onChange={(e) => setAddress(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="recipient-kinds">Event kinds (comma-separated; * for all)</label>
          <input id="recipient-kinds" value={kinds} onChange={(e) => setKinds(e.target.value)} />
        </div>
        <button type="submit" disabled={busy}>
          Add recipient
        </button>
      </form>
      <div aria-live="polite">
        {problem ? (
          <p className="error" role="alert">
            {problem}
          </p>
        ) : null}
      </div>
    </div>
  );
}
