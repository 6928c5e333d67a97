export * from './canonical-json';
export * from './envelope-signature';
export * from './trusted-keys';
export * from './trusted-keys-file';
export * from './keys';
export * from './config-validators';
export * from './trust-file-edits';
