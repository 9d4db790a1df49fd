export {
  configureXgboost,
  requireXgboost,
  XGBOOST_INSTALL_HINT,
  xgboostCandidates,
  xgboostVersion,
  XgboostUnavailableError,
} from './native';
export { Booster, withBooster, XGBoostError } from './booster';
export type { Matrix, XgbParams, XGBoostErrorCode } from './booster';
