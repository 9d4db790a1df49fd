// Pure drift math (no I/O): baselines with frozen bins, PSI, bands, accuracy intervals, sample sizes, and
// the estimation of accuracy before labels (calibration, Poisson-binomial intervals, timeline errors).
export {
  BASELINE_VERSION,
  DEFAULT_MODERATE_PSI,
  DEFAULT_SIGNIFICANT_PSI,
  EMPTY_BIN_SHARE,
  LOW_CARDINALITY_MAX_DISTINCT,
  NUMERIC_BIN_COUNT,
  NUMERIC_EDGE_COUNT,
  WILSON_Z_95,
} from './constants';
export { DriftMathError, isDriftMathError } from './errors';
export type { DriftMathErrorCode } from './errors';

export type {
  CategoricalBaseline,
  FeatureBaseline,
  FeatureKind,
  NumericBaseline,
  NumericBinnedBaseline,
  NumericCategoricalBaseline,
  NumericSummary,
  StringCategoricalBaseline,
} from './baseline/baseline.types';
export {
  buildBaseline,
  buildBinnedNumericBaseline,
  buildCategoricalBaseline,
  buildNumericBaseline,
} from './baseline/build-baseline';
export { canonicalNumericKey, numericKey } from './baseline/category-key';
export { assertValidBaseline, parseBaseline } from './baseline/parse-baseline';
export { binIndex, binLabels, quantileEdges } from './baseline/quantile-edges';
export { summarize } from './baseline/summary';

export type {
  CategoryCounts,
  CurrentCounts,
  NumericBinCounts,
  PsiBand,
  PsiBinDetail,
  PsiResult,
  PsiThresholds,
} from './psi/psi.types';
export { psiBand, resolvePsiThresholds } from './psi/psi-band';
export { binShare, computePsi, histogramFromValues, psiContribution, psiFromCounts } from './psi/psi';

export type { ProportionInterval } from './accuracy/wilson';
export { wilsonInterval } from './accuracy/wilson';
export type { SampleSizeCheck } from './accuracy/sample-size';
export { sampleSizeCheck } from './accuracy/sample-size';
export { countsFromBins, countsFromValues } from './psi/counts-from-rows';
export type { ValueCount } from './psi/counts-from-rows';

export type { CalibrationPoint, IsotonicCalibration } from './estimation/isotonic';
export { applyIsotonic, fitIsotonic, parseIsotonic } from './estimation/isotonic';
export type { EstimatedAccuracy } from './estimation/estimated-accuracy';
export {
  estimatedAccuracy,
  POISSON_BINOMIAL_EXACT_MAX,
  poissonBinomialPmf,
} from './estimation/estimated-accuracy';
export type { TimelineErrorModel } from './estimation/timeline-estimate';
export { ERROR_QUANTILES, fitTimelineErrors, timelineRightProbability } from './estimation/timeline-estimate';

export type {
  SequentialTestOptions,
  SequentialTestResult,
  SequentialVerdict,
} from './sequential/paired-test';
export {
  decisionThreshold,
  DEFAULT_SEQUENTIAL_TEST,
  mixtureLogLikelihoodRatio,
  pairedSequentialTest,
} from './sequential/paired-test';
