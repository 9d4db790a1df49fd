import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived its last full collection before it collects
 * again, for a seeding process (V8's `--heap-growing-percent`: 40 means 1.4 times).
 *
 * Why: seeding allocates rows far faster than they die. By default V8 grows the heap by a factor it picks
 * from its own speed (up to 4 times the survivors), so a seed of 100,000 claims per tenant, about 100 MiB
 * live at once, peaked at 509-560 MiB RSS, most of it V8's heap (issue 20's target: under 512 MiB). At
 * 1.4 times it peaked at 361-378 MiB RSS; the extra full collections cost about 2 s in a V8 profile (9.4
 * against 7.6 s), inside the benchmark's noise (docs/benchmarks.md, "Issue 20, fourth step"). Unlike a fixed
 * `--max-old-space-size`, the limit follows what is live, so a larger seed is slower to collect, not
 * killed for want of heap.
 */
export const SEED_HEAP_GROWING_PERCENT = 40;

/** Sets the seeding process's heap growth (process-wide: call it from a seeding process's entry point). */
export function paceHeapForSeeding(): void {
  setFlagsFromString(`--heap-growing-percent=${SEED_HEAP_GROWING_PERCENT}`);
}
