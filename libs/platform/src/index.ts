export * from './exception.filter';
export * from './env';
export * from './http-app';
export * from './validation.pipe';
export * from './reference.controller';
export * from './principal';
export * from './prometheus-text';
export * from './hardening';
