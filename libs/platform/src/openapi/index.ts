export * from './api-problems.decorator';
export * from './openapi-check';
export * from './openapi-document';
export * from './preview';
export * from './problem-schema';
export * from './schema-helpers';
export * from './common-schemas';
