import type { PsiBand, PsiThresholds } from './psi.types';
import { DEFAULT_MODERATE_PSI, DEFAULT_SIGNIFICANT_PSI } from '../constants';
import { DriftMathError } from '../errors';

/**
 * Fills in defaults (0.1, 0.25). If only `significant` is given and it is below the default moderate
 * threshold (a strict model with driftThreshold 0.05, say), moderate follows it down rather than failing
 * at run time; thresholds given explicitly out of order are rejected.
 */
export function resolvePsiThresholds(thresholds: Partial<PsiThresholds> = {}): PsiThresholds {
  const significant = thresholds.significant ?? DEFAULT_SIGNIFICANT_PSI;
  const moderate = thresholds.moderate ?? Math.min(DEFAULT_MODERATE_PSI, significant);
  for (const [name, value] of [
    ['moderate', moderate],
    ['significant', significant],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) {
      throw new DriftMathError(
        'INVALID_THRESHOLD',
        `${name} threshold must be a finite number >= 0, got ${value}`,
      );
    }
  }
  if (moderate > significant) {
    throw new DriftMathError(
      'INVALID_THRESHOLD',
      `moderate threshold ${moderate} is above significant threshold ${significant}`,
    );
  }
  return { moderate, significant };
}

/** Band of a PSI value; both boundaries belong to 'moderate' (0.1 and 0.25 are moderate by default). */
export function psiBand(psi: number, thresholds?: Partial<PsiThresholds>): PsiBand {
  if (!Number.isFinite(psi) || psi < 0) {
    throw new DriftMathError('INVALID_ARGUMENT', `psi must be a finite number >= 0, got ${psi}`);
  }
  const { moderate, significant } = resolvePsiThresholds(thresholds);
  if (psi < moderate) return 'stable';
  if (psi <= significant) return 'moderate';
  return 'significant';
}
