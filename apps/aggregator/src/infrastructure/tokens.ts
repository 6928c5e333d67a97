export const PG_POOL = Symbol('PG_POOL');
export const KAFKA = Symbol('KAFKA');
/** The EnvelopeVerifier every ingest checks signatures with (the trust file, reloaded on change). */
export const TRUSTED_KEYS = Symbol('TRUSTED_KEYS');
/** What time it is for the aggregator (expiries, emergencies' days, the feed writers); tests hand in their own. */
export const CLOCK = Symbol('CLOCK');
export type Clock = () => Date;
