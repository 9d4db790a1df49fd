export * from './errors';
export * from './baselines';
export * from './fit-candidate';
export * from './settings';
