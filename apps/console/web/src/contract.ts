import type { ModelState, ModelType } from '../../src/api/types';

// Copies of the contract's two runtime constants: with the contract imported for its types only, Vite never
// reads a file outside apps/console/web, and the annotations make tsc reject a value the union lacks.
export const CONSOLE_MODEL_TYPES: readonly ModelType[] = [
  'claim_outcome',
  'timeline',
  'churn_risk',
  'assignment',
];
export const MODEL_STATES: readonly ModelState[] = [
  'failing',
  'retraining',
  'drifting',
  'awaiting_labels',
  'healthy',
  'unknown',
];

export const PRODUCT = 'Union Eyes ML';
