export * from './config';
export * from './logger';
export * from './log-redaction';
export * from './errors';
export * from './ids';
export * from './args';
export * from './dates';
