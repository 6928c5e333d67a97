export * from './catalogue';
export * from './field-messages';
export * from './language';
export * from './problem';
