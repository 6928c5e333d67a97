export * from './generator';
export * from './post';
export * from './routes';
export { dateOfBirthFor } from './people';
export { hashSeed, mulberry32 } from './random';
export type { Rng } from './random';
export * from './referrals';
