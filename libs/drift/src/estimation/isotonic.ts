import { DriftMathError } from '../errors';
import { assertFiniteNumber } from '../internal/validate';

/**
 * A monotone (non-decreasing) map from a model's confidence to the probability that its answer is right,
 * fitted on the version's own hold-out: the calibration that estimated accuracy reads (docs/models.md,
 * "Estimated accuracy"). Stored with the artifact as JSON, so it is plain data: knots `xs` (strictly increasing)
 * and their fitted `ys` (non-decreasing, in [0, 1]); between knots the map is linear, outside them flat.
 */
export interface IsotonicCalibration {
  version: 1;
  xs: number[];
  ys: number[];
  /** Examples it was fitted on. */
  n: number;
}

export interface CalibrationPoint {
  /** The model's own probability of its answer. */
  x: number;
  /** 1 when the answer was right, 0 when not (any value in [0, 1] is accepted). */
  y: number;
}

/**
 * Isotonic regression by pool-adjacent-violators: the non-decreasing step function closest (least
 * squares) to the points, each block of pooled points becoming two knots (its smallest and largest x)
 * at the block's mean. Chosen over Platt scaling because XGBoost's over- or under-confidence need not have
 * a sigmoid's shape, and hold-outs of a few hundred examples are enough for a monotone fit; the price is a
 * map that is flat between the observed confidences, which the linear interpolation between blocks eases.
 * Ties in x are pooled first (one x, one value).
 */
export function fitIsotonic(points: readonly CalibrationPoint[]): IsotonicCalibration {
  if (points.length === 0) throw new DriftMathError('EMPTY_SAMPLE', 'no points to calibrate on');
  points.forEach((p, i) => {
    assertFiniteNumber(p.x, `points[${i}].x`);
    assertFiniteNumber(p.y, `points[${i}].y`);
    if (p.y < 0 || p.y > 1)
      throw new DriftMathError('INVALID_ARGUMENT', `points[${i}].y must be in [0, 1], got ${p.y}`);
  });
  const sorted = [...points].sort((a, b) => a.x - b.x);
  // Blocks of pooled points: sum of y, count, and the x range they cover.
  const blocks: { sum: number; n: number; lo: number; hi: number }[] = [];
  for (const p of sorted) {
    const last = blocks[blocks.length - 1];
    if (last && last.hi === p.x) {
      last.sum += p.y;
      last.n += 1;
    } else blocks.push({ sum: p.y, n: 1, lo: p.x, hi: p.x });
    // Pool backwards while a block's mean is below the one before it.
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1]!;
      const a = blocks[blocks.length - 2]!;
      if (a.sum / a.n <= b.sum / b.n) break;
      blocks.splice(blocks.length - 2, 2, { sum: a.sum + b.sum, n: a.n + b.n, lo: a.lo, hi: b.hi });
    }
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (const b of blocks) {
    const mean = b.sum / b.n;
    xs.push(b.lo);
    ys.push(mean);
    if (b.hi > b.lo) {
      xs.push(b.hi);
      ys.push(mean);
    }
  }
  return { version: 1, xs, ys, n: points.length };
}

/** The calibrated probability at confidence `x`: linear between knots, the end values outside them. */
export function applyIsotonic(c: IsotonicCalibration, x: number): number {
  assertFiniteNumber(x, 'x');
  const { xs, ys } = c;
  if (x <= xs[0]!) return ys[0]!;
  if (x >= xs[xs.length - 1]!) return ys[ys.length - 1]!;
  // Binary search for the knot interval [xs[lo], xs[lo + 1]] holding x.
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const t = (x - xs[lo]!) / (xs[hi]! - xs[lo]!);
  return ys[lo]! + t * (ys[hi]! - ys[lo]!);
}

/** Checks a stored calibration (JSON from an artifact) before it is used. */
export function parseIsotonic(value: unknown): IsotonicCalibration {
  const v = value as Partial<IsotonicCalibration> | null;
  const bad = (why: string) => new DriftMathError('INVALID_ARGUMENT', `invalid calibration: ${why}`);
  if (typeof v !== 'object' || v === null || v.version !== 1) throw bad('not a version-1 calibration');
  const { xs, ys, n } = v;
  if (!Array.isArray(xs) || !Array.isArray(ys) || xs.length === 0 || xs.length !== ys.length)
    throw bad('xs and ys must be non-empty arrays of one length');
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw bad('n must be a positive integer');
  for (let i = 0; i < xs.length; i++) {
    const x: unknown = xs[i];
    const y: unknown = ys[i];
    if (typeof x !== 'number' || !Number.isFinite(x) || typeof y !== 'number' || !(y >= 0 && y <= 1))
      throw bad(`knot ${i} is not a finite x with y in [0, 1]`);
    if (i > 0 && (x <= xs[i - 1]! || y < ys[i - 1]!)) throw bad(`knot ${i} breaks the order`);
  }
  return { version: 1, xs: [...xs], ys: [...ys], n };
}
