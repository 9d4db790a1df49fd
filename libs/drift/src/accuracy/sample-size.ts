import { assertCount } from '../internal/validate';

export interface SampleSizeCheck {
  sufficient: boolean;
  have: number;
  need: number;
}

/** Whether a window has enough observations (have >= need) to be judged at all. */
export function sampleSizeCheck(n: number, min: number): SampleSizeCheck {
  assertCount(n, 'n');
  assertCount(min, 'min');
  return { sufficient: n >= min, have: n, need: min };
}
