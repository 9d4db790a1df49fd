export {
  configureXgboost,
  requireXgboost,
  XGBOOST_INSTALL_HINT,
  xgboostCandidates,
  xgboostVersion,
  XgboostUnavailableError,
} from './native';
export { Booster, evaluationScore, withBooster, XGBoostError } from './booster';
export type { BoosterTraining, EarlyStopping, Matrix, XgbParams, XGBoostErrorCode } from './booster';
