/**
 * McNemar's test on paired outcomes of two models scored on the same examples.
 * b = examples only the first model (the champion) gets right; c = examples only the second (the
 * candidate) gets right. Below 25 discordant pairs the exact two-sided binomial test is used, otherwise
 * the chi-square statistic with continuity correction, (|b − c| − 1)² / (b + c), on one degree of freedom.
 */
export interface McNemarResult {
  b: number;
  c: number;
  method: 'exact' | 'chi-square' | 'none';
  statistic: number | null;
  pValue: number;
}

export const MCNEMAR_EXACT_BELOW = 25;

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log((n - k + i) / i);
  return s;
}

/** P(X <= k) for X ~ Binomial(n, 1/2). */
function binomialCdfHalf(k: number, n: number): number {
  let p = 0;
  for (let i = 0; i <= k; i++) p += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, p);
}

/** Complementary error function (Numerical Recipes' erfcc, |error| < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + z / 2);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Upper tail of the chi-square distribution with one degree of freedom. */
export function chiSquare1Sf(x: number): number {
  return x <= 0 ? 1 : erfc(Math.sqrt(x / 2));
}

export function mcnemar(b: number, c: number): McNemarResult {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0)
    throw new RangeError(`discordant counts must be whole and non-negative, got ${b} and ${c}`);
  const n = b + c;
  if (n === 0) return { b, c, method: 'none', statistic: null, pValue: 1 };
  if (n < MCNEMAR_EXACT_BELOW) {
    return {
      b,
      c,
      method: 'exact',
      statistic: null,
      pValue: Math.min(1, 2 * binomialCdfHalf(Math.min(b, c), n)),
    };
  }
  const statistic = (Math.abs(b - c) - 1) ** 2 / n;
  return { b, c, method: 'chi-square', statistic, pValue: chiSquare1Sf(statistic) };
}

/** Discordant counts from two per-example correctness vectors. */
export function discordant(
  champion: readonly boolean[],
  candidate: readonly boolean[],
): { b: number; c: number } {
  if (champion.length !== candidate.length)
    throw new RangeError(`paired vectors differ in length: ${champion.length} vs ${candidate.length}`);
  let b = 0;
  let c = 0;
  for (let i = 0; i < champion.length; i++) {
    if (champion[i] && !candidate[i]) b++;
    else if (!champion[i] && candidate[i]) c++;
  }
  return { b, c };
}
