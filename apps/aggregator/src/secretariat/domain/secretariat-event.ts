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
