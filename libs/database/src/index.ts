export * from './connection';
export * from './migrations';
export * from './pg-pool.provider';
export * from './schema';
