export * from './subjects';
export * from './payloads';
export * from './event-map';
export * from './envelope';
export * from './routes';
export * from './notifier-client';
