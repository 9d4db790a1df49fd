/** How a batch closes besides at `max`. */
export interface BatchTiming {
  /**
   * How long every batch waits for more messages after its first one arrived, in ms. 0: it takes only
   * what is already there (what resolves before the event loop's next turn).
   */
  lingerMs?: number;
  /**
   * How long a batch that found a backlog (more than one message waiting) may keep filling, in ms, as long
   * as messages keep coming: it closes when full, when `fillMs` has passed, or when no message came for
   * FILL_GAP_MS. A lone message (an idle consumer) is not delayed by it.
   */
  fillMs?: number;
}

/**
 * The pause in arrivals that closes a filling batch: under load the next messages of a pull arrive well
 * within it (the server sends them back to back), while at a modest steady rate they are further apart.
 */
export const FILL_GAP_MS = 2;

/**
 * Batches from a stream of messages: waits for a first one, then takes whatever else arrives within
 * `lingerMs`, up to `max`; if that found a backlog, it keeps filling for up to `fillMs` while messages keep
 * coming. A slow consumer therefore gets full batches and an idle one gets each message at once. A
 * `next()` still pending when a batch closes is kept for the next batch, so no message is lost between
 * them.
 */
export async function* batchesOf<T>(
  source: AsyncIterable<T>,
  max: number,
  timing: BatchTiming = {},
): AsyncGenerator<T[], void, undefined> {
  if (!(Number.isInteger(max) && max >= 1))
    throw new RangeError(`batch max must be a positive integer, got ${max}`);
  const lingerMs = Math.max(0, timing.lingerMs ?? 0);
  const fillMs = Math.max(0, timing.fillMs ?? 0);
  const it = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | null = null;
  const next = (): Promise<IteratorResult<T>> => (pending ??= it.next());
  for (;;) {
    const first = await next();
    pending = null;
    if (first.done) return;
    const batch: T[] = [first.value];
    let ended = false;
    /** Takes messages until the batch is full, the source ends, or `waitMs()` passes without one. */
    const take = async (waitMs: () => number): Promise<void> => {
      while (batch.length < max) {
        const r = await raceTimer(next(), waitMs());
        if (r === TIMED_OUT) return;
        pending = null;
        if (r.done) {
          ended = true;
          return;
        }
        batch.push(r.value);
      }
    };
    const lingerEnds = Date.now() + lingerMs;
    await take(() => Math.max(0, lingerEnds - Date.now()));
    if (!ended && fillMs > 0 && batch.length > 1) {
      const fillEnds = Date.now() + fillMs;
      await take(() => Math.min(FILL_GAP_MS, Math.max(0, fillEnds - Date.now())));
    }
    yield batch;
    if (ended) return;
  }
}

const TIMED_OUT = Symbol('timed out');

/** `work`, or TIMED_OUT after `ms` (0: after the pending callbacks of this turn, via setImmediate). */
async function raceTimer<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let cancel = (): void => undefined;
  const timer = new Promise<typeof TIMED_OUT>((resolve) => {
    if (ms <= 0) {
      const h = setImmediate(() => resolve(TIMED_OUT));
      cancel = () => clearImmediate(h);
    } else {
      const h = setTimeout(() => resolve(TIMED_OUT), ms);
      cancel = () => clearTimeout(h);
    }
  });
  try {
    return await Promise.race([work, timer]);
  } finally {
    cancel();
  }
}

/** Items grouped by a key, groups in the order their first item came, items in arrival order. */
export function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * Splits items into the first of each key and the later ones with a key seen before (the same event
 * delivered twice in one pull: the later copies are duplicates of the first).
 */
export function firstOfEach<T, K>(items: readonly T[], keyOf: (item: T) => K): { first: T[]; repeats: T[] } {
  const seen = new Set<K>();
  const first: T[] = [];
  const repeats: T[] = [];
  for (const item of items) {
    const k = keyOf(item);
    if (seen.has(k)) repeats.push(item);
    else {
      seen.add(k);
      first.push(item);
    }
  }
  return { first, repeats };
}
