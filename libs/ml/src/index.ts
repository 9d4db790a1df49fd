export * from './split';
export * from './majority';
export * from './claim-features';
export * from './xgboost';
export * from './xgb-model';
export * from './artifact';
export * from './stats/mcnemar';
export * from './training';
