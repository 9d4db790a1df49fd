import { batchesOf, firstOfEach, groupBy } from './batching';

/** An async iterable fed by hand: what a JetStream consumer's message iterator looks like to batchesOf. */
class Feed<T> implements AsyncIterable<T> {
  private readonly buffered: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void) | null = null;
  private ended = false;

  push(...items: T[]): void {
    for (const item of items) {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w({ value: item, done: false });
      } else this.buffered.push(item);
    }
  }

  end(): void {
    this.ended = true;
    this.waiting?.({ value: undefined, done: true });
    this.waiting = null;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.buffered.length > 0) return Promise.resolve({ value: this.buffered.shift()!, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiting = resolve));
      },
    };
  }
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('batchesOf', () => {
  it('takes what has arrived, up to max, and leaves the rest for the next batches', async () => {
    const feed = new Feed<number>();
    feed.push(1, 2, 3, 4, 5, 6, 7);
    feed.end();
    const batches: number[][] = [];
    for await (const b of batchesOf(feed, 3)) batches.push(b);
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('does not wait for more when nothing else has arrived (linger 0): a lone message goes at once', async () => {
    const feed = new Feed<string>();
    const it = batchesOf(feed, 100)[Symbol.asyncIterator]();
    const first = it.next();
    feed.push('a');
    expect(await first).toEqual({ value: ['a'], done: false });
    // The next() left pending when the first batch closed receives the next message: nothing is lost.
    const second = it.next();
    await tick(5);
    feed.push('b', 'c');
    expect(await second).toEqual({ value: ['b', 'c'], done: false });
    feed.end();
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it('waits up to lingerMs after the first message for more', async () => {
    const feed = new Feed<number>();
    const it = batchesOf(feed, 10, { lingerMs: 50 })[Symbol.asyncIterator]();
    const batch = it.next();
    feed.push(1);
    await tick(10);
    feed.push(2);
    await tick(10);
    feed.push(3);
    expect(await batch).toEqual({ value: [1, 2, 3], done: false });
    feed.end();
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it('keeps filling a batch that found a backlog while messages keep coming (fillMs)', async () => {
    const feed = new Feed<number>();
    const it = batchesOf(feed, 6, { fillMs: 500 })[Symbol.asyncIterator]();
    feed.push(1, 2);
    const batch = it.next();
    // The rest of the backlog arrives in quick succession (well within FILL_GAP_MS of each other).
    for (const n of [3, 4, 5, 6, 7]) {
      await Promise.resolve();
      feed.push(n);
    }
    expect(await batch).toEqual({ value: [1, 2, 3, 4, 5, 6], done: false });
    expect(await it.next()).toEqual({ value: [7], done: false });
  });

  it('closes a filling batch when arrivals pause, and never delays a lone message (fillMs)', async () => {
    const feed = new Feed<number>();
    const it = batchesOf(feed, 100, { fillMs: 10_000 })[Symbol.asyncIterator]();
    feed.push(1, 2);
    const started = Date.now();
    expect(await it.next()).toEqual({ value: [1, 2], done: false });
    expect(Date.now() - started).toBeLessThan(1000);
    // A lone message: no backlog, so no filling: it goes although more arrive shortly after.
    const lone = it.next();
    feed.push(3);
    expect(await lone).toEqual({ value: [3], done: false });
    feed.end();
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it('yields the last partial batch when the source ends, and nothing for an empty source', async () => {
    const feed = new Feed<number>();
    const it = batchesOf(feed, 5, { lingerMs: 1000 })[Symbol.asyncIterator]();
    const batch = it.next();
    feed.push(1, 2);
    await tick(5);
    feed.end();
    expect(await batch).toEqual({ value: [1, 2], done: false });
    expect(await it.next()).toEqual({ value: undefined, done: true });

    const empty = new Feed<number>();
    empty.end();
    const none: number[][] = [];
    for await (const b of batchesOf(empty, 5)) none.push(b);
    expect(none).toEqual([]);
  });

  it('refuses a batch size that is not a positive integer', async () => {
    await expect(batchesOf(new Feed<number>(), 0).next()).rejects.toThrow(RangeError);
  });
});

describe('groupBy', () => {
  it('groups in the order of each key first seen, items in arrival order', () => {
    const events = [
      { tenant: 'b', n: 1 },
      { tenant: 'a', n: 2 },
      { tenant: 'b', n: 3 },
      { tenant: 'c', n: 4 },
      { tenant: 'a', n: 5 },
    ];
    expect([...groupBy(events, (e) => e.tenant)].map(([t, g]) => [t, g.map((e) => e.n)])).toEqual([
      ['b', [1, 3]],
      ['a', [2, 5]],
      ['c', [4]],
    ]);
    expect(groupBy([], (e: { tenant: string }) => e.tenant).size).toBe(0);
  });
});

describe('firstOfEach', () => {
  it('keeps the first item of each key and returns the later copies as repeats', () => {
    const msgs = [
      { id: 'x', seq: 1 },
      { id: 'y', seq: 2 },
      { id: 'x', seq: 3 },
      { id: 'z', seq: 4 },
      { id: 'y', seq: 5 },
      { id: 'x', seq: 6 },
    ];
    const { first, repeats } = firstOfEach(msgs, (m) => m.id);
    expect(first.map((m) => m.seq)).toEqual([1, 2, 4]);
    expect(repeats.map((m) => m.seq)).toEqual([3, 5, 6]);
  });
});
