import { readFileSync } from 'node:fs';
import type { SASLOptions } from 'kafkajs';

/** How a client proves who it is to the brokers (docs/kafka-security.md); empty when the
 * brokers ask nothing (the local PLAINTEXT broker). */
export interface KafkaSecurity {
  sasl?: SASLOptions;
  /** TLS to the brokers (SASL_SSL in production): `true` trusts the system's CAs. */
  ssl?: true | { ca: string[] };
}

const MECHANISMS = ['scram-sha-256', 'scram-sha-512'] as const;
type Mechanism = (typeof MECHANISMS)[number];

/** A setting that cannot work: one line that names it, raised before any connection. */
export class KafkaConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KafkaConfigError';
  }
}

type Env = Record<string, string | undefined>;

function readText(setting: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new KafkaConfigError(`${setting}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function readSecretFile(setting: string, path: string): string {
  const value = readText(setting, path).split(/\r?\n/)[0];
  if (!value) throw new KafkaConfigError(`${setting}: ${path} is empty`);
  return value;
}

function password(env: Env): string {
  const inline = env.KAFKA_SASL_PASSWORD;
  const file = env.KAFKA_SASL_PASSWORD_FILE;
  if (inline && file) throw new KafkaConfigError('set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both');
  if (file) return readSecretFile('KAFKA_SASL_PASSWORD_FILE', file);
  if (inline) return inline;
  throw new KafkaConfigError('KAFKA_SASL_MECHANISM is set: KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required');
}

function sasl(env: Env): SASLOptions | undefined {
  const mechanism = env.KAFKA_SASL_MECHANISM?.trim().toLowerCase();
  if (!mechanism) {
    const stray = ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'].filter((k) => env[k]);
    if (stray.length > 0) throw new KafkaConfigError(`${stray.join(', ')} set without KAFKA_SASL_MECHANISM (scram-sha-512)`);
    return undefined;
  }
  if (!MECHANISMS.includes(mechanism as Mechanism)) {
    throw new KafkaConfigError(`KAFKA_SASL_MECHANISM must be one of ${MECHANISMS.join(', ')} (got "${env.KAFKA_SASL_MECHANISM}")`);
  }
  const username = env.KAFKA_SASL_USERNAME?.trim();
  if (!username) throw new KafkaConfigError('KAFKA_SASL_MECHANISM is set: KAFKA_SASL_USERNAME is required');
  return { mechanism: mechanism as Mechanism, username, password: password(env) };
}

function ssl(env: Env): KafkaSecurity['ssl'] {
  const on = env.KAFKA_SSL?.trim().toLowerCase();
  const caFile = env.KAFKA_SSL_CA_FILE;
  if (on === undefined || on === '' || on === 'false' || on === '0') {
    if (caFile) throw new KafkaConfigError('KAFKA_SSL_CA_FILE set without KAFKA_SSL=true');
    return undefined;
  }
  if (on !== 'true' && on !== '1') throw new KafkaConfigError(`KAFKA_SSL must be true or false (got "${env.KAFKA_SSL}")`);
  return caFile ? { ca: [readText('KAFKA_SSL_CA_FILE', caFile)] } : true;
}

/**
 * Reads the client's Kafka credentials from the environment: `KAFKA_SASL_MECHANISM`
 * (scram-sha-512 or scram-sha-256), `KAFKA_SASL_USERNAME`, and `KAFKA_SASL_PASSWORD` or
 * `KAFKA_SASL_PASSWORD_FILE` (first line of the file); `KAFKA_SSL=true` and `KAFKA_SSL_CA_FILE`
 * for TLS. Nothing set: no security, as before. A half-made setting throws a KafkaConfigError.
 */
export function kafkaSecurityFromEnv(env: Env = process.env): KafkaSecurity {
  const security: KafkaSecurity = {};
  const s = sasl(env);
  if (s) security.sasl = s;
  const t = ssl(env);
  if (t) security.ssl = t;
  return security;
}
