export const PG_POOL = Symbol('PG_POOL');
export const KAFKA = Symbol('KAFKA');
export const CLOCK = Symbol('CLOCK');
export const ID_GENERATOR = Symbol('ID_GENERATOR');

export interface Clock {
  now(): Date;
}
export type IdGenerator = () => string;
