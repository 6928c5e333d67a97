export * from './events';
export * from './reference';
export * from './validators';
export * from './envelope.schema';
export * from './errors';
export * from './agreements';
export * from './referrals';
export * from './referral.schema';
