export { xgboostVersion, XGBOOST_LIBRARY } from './native';
export { Booster, withBooster, XGBoostError } from './booster';
export type { Matrix, XgbParams } from './booster';
