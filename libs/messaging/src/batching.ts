/**
 * Batches from a stream of messages: waits for a first one, then takes whatever else arrives within
 * `lingerMs` (0: only what is already there, i.e. what resolves before the event loop's next turn), up to
 * `max`. A slow consumer therefore gets full batches and an idle one gets each message at once. A `next()`
 * still pending when a batch closes is kept for the next batch, so no message is lost between them.
 */
export async function* batchesOf<T>(
  source: AsyncIterable<T>,
  max: number,
  lingerMs = 0,
): AsyncGenerator<T[], void, undefined> {
  if (!(Number.isInteger(max) && max >= 1))
    throw new RangeError(`batch max must be a positive integer, got ${max}`);
  const it = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | null = null;
  const next = (): Promise<IteratorResult<T>> => (pending ??= it.next());
  for (;;) {
    const first = await next();
    pending = null;
    if (first.done) return;
    const batch: T[] = [first.value];
    const closesAt = Date.now() + lingerMs;
    let ended = false;
    while (batch.length < max) {
      const r = await raceTimer(next(), Math.max(0, closesAt - Date.now()));
      if (r === TIMED_OUT) break;
      pending = null;
      if (r.done) {
        ended = true;
        break;
      }
      batch.push(r.value);
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
