export * from './api-key';
export * from './duration';
export * from './issue';
export * from './key-store';
export * from './roles';
