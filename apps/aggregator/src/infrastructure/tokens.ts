export const PG_POOL = Symbol('PG_POOL');
export const KAFKA = Symbol('KAFKA');
