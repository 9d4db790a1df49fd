import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived its last full collection before it collects
 * again, for a seeding process (V8's `--heap-growing-percent`: 40 means 1.4 times).
 *
 * Why: seeding allocates rows far faster than they die. By default V8 grows the heap by a factor it picks
 * from its own speed (up to 4 times the survivors), so a seed of 100,000 claims per tenant, about 100 MiB
 * live at once, peaked at 366-370 MiB of V8 heap and 511-558 MiB RSS (issue 20's target: under 512 MiB).
 * At 1.4 times it peaked at 338-396 MiB RSS, and the extra full collections cost no time the benchmark
 * could tell from its noise (docs/benchmarks.md, "Issue 20, fourth step"). Unlike a fixed
 * `--max-old-space-size`, the limit follows what is live, so a larger seed is slower to collect, not
 * killed for want of heap.
 */
export const SEED_HEAP_GROWING_PERCENT = 40;

/** Sets the seeding process's heap growth (process-wide: call it from a seeding process's entry point). */
export function paceHeapForSeeding(): void {
  setFlagsFromString(`--heap-growing-percent=${SEED_HEAP_GROWING_PERCENT}`);
}
