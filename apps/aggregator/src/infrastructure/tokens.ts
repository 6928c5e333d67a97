export const PG_POOL = Symbol('PG_POOL');
export const KAFKA = Symbol('KAFKA');
/** The EnvelopeVerifier every ingest checks signatures with (the trust file, reloaded on change). */
export const TRUSTED_KEYS = Symbol('TRUSTED_KEYS');
