import type { PoolClient } from 'pg';

/**
 * An event the aggregator itself records (docs/emergencies.md): the secretariat's contingency
 * scenarios and emergency declarations, and the activations of emergency terms the aggregator
 * makes on a state's behalf. Streams are versioned like a node's: `scenario-<target>`,
 * `emergency-<id>`. Signed by the aggregator's key, as feed items are.
 */
export interface UnsignedSecretariatEvent<T extends string = string, D = Record<string, unknown>> {
  streamId: string;
  streamVersion: number;
  type: T;
  data: D;
  /** The principal who recorded it (`secretariat`, or `aggregator` for an automatic activation). */
  recordedBy: string;
  recordedAt: string;
}

export interface SecretariatEventSignature {
  alg: 'Ed25519';
  keyId: string;
  value: string;
}

export type SecretariatEvent<T extends string = string, D = Record<string, unknown>> = UnsignedSecretariatEvent<T, D> & {
  seq: number;
  signature: SecretariatEventSignature;
};

/**
 * The aggregator's own signed event log, as the contexts that record in it use it (contingency
 * scenarios, emergencies). An append names the version it expects each stream at; a stream that
 * moved meanwhile makes it a 409 (`SECRETARIAT.CONFLICT`) with nothing written. Provided by the
 * secretariat context (PgSecretariatLog, SecretariatModule).
 */
export abstract class SecretariatLog {
  /** Appends `events` all or none, in the caller's transaction `client` when given one; returns them as stored. */
  abstract append(events: UnsignedSecretariatEvent[], client?: PoolClient): Promise<SecretariatEvent[]>;
  /** One stream, in version order. */
  abstract stream(streamId: string): Promise<SecretariatEvent[]>;
  /** Every event of these types, in log order (`seq`), optionally after a position. */
  abstract ofTypes(types: readonly string[], after?: number): Promise<SecretariatEvent[]>;
}
