export * from './split';
export * from './majority';
