/** What a stored candidate is: its version, its artifact and its hold-out figures. */
export interface CandidateResult {
  version: number;
  artifactId: string;
  holdoutAccuracy: number;
  trainingSamples: number;
  validationSamples: number;
  metrics: Record<string, unknown>;
  split: Record<string, unknown>;
}
