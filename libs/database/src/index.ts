export * from './orm-config';
export * from './ensure-database';
export * from './migrate';
export * from './database.module';
export * from './histograms';
export * from './training-data';
export * from './roles';
export * from './tenant-scope';
