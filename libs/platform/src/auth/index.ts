export * from './access.decorator';
export * from './access-rules';
export * from './api-key-authenticator';
export * from './auth.guard';
export * from './auth.providers';
