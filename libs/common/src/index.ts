export * from './config';
export * from './logger';
export * from './errors';
export * from './ids';
export * from './args';
