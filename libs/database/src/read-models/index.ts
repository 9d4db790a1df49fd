// Named, typed read models: how an app reads a table another app owns (libs/database/src/ownership.ts).
export * from './registry';
export * from './training';
export * from './claims';
export * from './claim-labels';
export * from './drift';
export * from './notifications';
export * from './reports';
export * from './scoring';
export * from './console';
export * from './challengers';
