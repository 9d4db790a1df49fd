export * from './enums';
export * from './model-configs';
export * from './features';
export * from './entities/platform.entities';
export * from './entities/ml.entities';
export * from './entities/pipeline.entities';
export * from './entities/seed-run.entity';
export { ALL_ENTITIES } from './entities/all';
