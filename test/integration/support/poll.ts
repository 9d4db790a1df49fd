import type { JetStreamManager, StreamInfo } from '@nats-io/jetstream';

export interface PollOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** What is awaited, for the timeout's message. */
  what?: string;
}

/** Waits until `probe` returns a value that is not undefined/false; fails with the last value seen. */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined | false | null>,
  opts: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false && v !== null) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${opts.what ?? 'condition'}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
      );
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}

/**
 * Waits until the rows `query` returns satisfy `until` (by default: there is at least one), and returns
 * them. The usual wait for a service's write: a run row, a delivery settled, a check recorded.
 */
export function pollRows<T>(
  query: () => Promise<T[]>,
  opts: PollOptions & { until?: (rows: T[]) => boolean } = {},
): Promise<T[]> {
  const until = opts.until ?? ((rows: T[]) => rows.length > 0);
  return pollUntil(
    async () => {
      const rows = await query();
      return until(rows) ? rows : false;
    },
    { what: 'rows', ...opts },
  );
}

/** Waits until a stream holds at least `atLeast` messages (events published, letters dead); returns its info. */
export function pollStreamMessages(
  jsm: JetStreamManager,
  stream: string,
  atLeast: number,
  opts: PollOptions = {},
): Promise<StreamInfo> {
  return pollUntil(
    async () => {
      const info = await jsm.streams.info(stream);
      return info.state.messages >= atLeast ? info : false;
    },
    { what: `${atLeast} message(s) in ${stream}`, ...opts },
  );
}
