export * from './enums';
export * from './model-configs';
export * from './features';
export * from './outcomes';
