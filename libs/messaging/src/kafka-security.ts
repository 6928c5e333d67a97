import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { OAuthClientCredentials, tokenFromFile } from './oauth-token';

/** How a client proves who it is to the brokers (docs/kafka-security.md); empty when the
 * brokers ask nothing (the local PLAINTEXT broker). */
export interface KafkaSecurity {
  sasl?: SASLOptions;
  /** TLS to the brokers (SSL / SASL_SSL): `true` trusts the system's CAs; an object may carry a
   * private CA and, for mutual TLS, the client's certificate and key. */
  ssl?: true | Pick<ConnectionOptions, 'ca' | 'cert' | 'key'>;
}

/** Every setting kafkaSecurityFromEnv reads (besides KAFKA_BROKERS, which the services' configs hold). */
export const KAFKA_SECURITY_SETTINGS = [
  'KAFKA_SSL',
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_CERT_FILE',
  'KAFKA_SSL_KEY_FILE',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_PASSWORD_FILE',
  'KAFKA_SASL_OAUTHBEARER_TOKEN_FILE',
  'KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL',
  'KAFKA_SASL_OAUTHBEARER_CLIENT_ID',
  'KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE',
  'KAFKA_SASL_OAUTHBEARER_SCOPE',
  'KAFKA_ALLOW_CLEARTEXT_SASL',
] as const;

const MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer'] as const;
type Mechanism = (typeof MECHANISMS)[number];
const PASSWORD_SETTINGS = ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'] as const;
const OAUTH_SETTINGS = [
  'KAFKA_SASL_OAUTHBEARER_TOKEN_FILE',
  'KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL',
  'KAFKA_SASL_OAUTHBEARER_CLIENT_ID',
  'KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE',
  'KAFKA_SASL_OAUTHBEARER_SCOPE',
] as const;

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
  const value = readText(setting, path).split(/\r?\n/)[0].trim();
  if (!value) throw new KafkaConfigError(`${setting}: ${path} is empty`);
  return value;
}

function flag(env: Env, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new KafkaConfigError(`${name} must be true or false (got "${env[name]}")`);
}

const set = (env: Env, names: readonly string[]) => names.filter((k) => env[k]);

function password(env: Env): string {
  const inline = env.KAFKA_SASL_PASSWORD;
  const file = env.KAFKA_SASL_PASSWORD_FILE;
  if (inline && file) throw new KafkaConfigError('set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both');
  if (file) return readSecretFile('KAFKA_SASL_PASSWORD_FILE', file);
  if (inline) return inline;
  throw new KafkaConfigError('KAFKA_SASL_MECHANISM is set: KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required');
}

function oauthBearer(env: Env, cleartextAllowed: boolean): SASLOptions {
  const stray = set(env, PASSWORD_SETTINGS);
  if (stray.length > 0) throw new KafkaConfigError(`${stray.join(', ')} not used with KAFKA_SASL_MECHANISM=oauthbearer (the token is the credential)`);
  const file = env.KAFKA_SASL_OAUTHBEARER_TOKEN_FILE;
  const endpoint = env.KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL;
  if (file && endpoint) throw new KafkaConfigError('set KAFKA_SASL_OAUTHBEARER_TOKEN_FILE or KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL, not both');
  if (file) {
    const clientOnly = set(env, ['KAFKA_SASL_OAUTHBEARER_CLIENT_ID', 'KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE', 'KAFKA_SASL_OAUTHBEARER_SCOPE']);
    if (clientOnly.length > 0) throw new KafkaConfigError(`${clientOnly.join(', ')} set without KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL`);
    readSecretFile('KAFKA_SASL_OAUTHBEARER_TOKEN_FILE', file); // there and not empty at boot
    return { mechanism: 'oauthbearer', oauthBearerProvider: tokenFromFile(file) };
  }
  if (!endpoint) {
    throw new KafkaConfigError(
      'KAFKA_SASL_MECHANISM=oauthbearer: set KAFKA_SASL_OAUTHBEARER_TOKEN_FILE or KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL (with _CLIENT_ID and _CLIENT_SECRET_FILE)',
    );
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new KafkaConfigError(`KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL is not a URL (got "${endpoint}")`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && cleartextAllowed)) {
    throw new KafkaConfigError(
      'KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL must be an https:// URL (http:// only with KAFKA_ALLOW_CLEARTEXT_SASL=true on a dev machine)',
    );
  }
  const clientId = env.KAFKA_SASL_OAUTHBEARER_CLIENT_ID?.trim();
  if (!clientId) throw new KafkaConfigError('KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL is set: KAFKA_SASL_OAUTHBEARER_CLIENT_ID is required');
  const secretFile = env.KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE;
  if (!secretFile) throw new KafkaConfigError('KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL is set: KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE is required');
  const clientSecret = readSecretFile('KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE', secretFile);
  const source = new OAuthClientCredentials({ url: url.toString(), clientId, clientSecret, scope: env.KAFKA_SASL_OAUTHBEARER_SCOPE?.trim() || undefined });
  return { mechanism: 'oauthbearer', oauthBearerProvider: () => source.token() };
}

function sasl(env: Env, tls: boolean): SASLOptions | undefined {
  const mechanism = env.KAFKA_SASL_MECHANISM?.trim().toLowerCase();
  const cleartextAllowed = flag(env, 'KAFKA_ALLOW_CLEARTEXT_SASL');
  if (!mechanism) {
    const stray = set(env, [...PASSWORD_SETTINGS, ...OAUTH_SETTINGS]);
    if (stray.length > 0) throw new KafkaConfigError(`${stray.join(', ')} set without KAFKA_SASL_MECHANISM`);
    return undefined;
  }
  if (!MECHANISMS.includes(mechanism as Mechanism)) {
    throw new KafkaConfigError(`KAFKA_SASL_MECHANISM must be one of ${MECHANISMS.join(', ')} (got "${env.KAFKA_SASL_MECHANISM}")`);
  }
  // PLAIN sends the password itself and OAUTHBEARER a bearer token: over plain TCP anyone on the
  // path could reuse them. SCRAM proves the password without sending it (still: TLS in production).
  if ((mechanism === 'plain' || mechanism === 'oauthbearer') && !tls && !cleartextAllowed) {
    throw new KafkaConfigError(
      `KAFKA_SASL_MECHANISM=${mechanism} sends its credential in clear without TLS: set KAFKA_SSL=true (or KAFKA_ALLOW_CLEARTEXT_SASL=true on a dev machine)`,
    );
  }
  if (mechanism === 'oauthbearer') return oauthBearer(env, cleartextAllowed);
  const oauthStray = set(env, OAUTH_SETTINGS);
  if (oauthStray.length > 0) throw new KafkaConfigError(`${oauthStray.join(', ')} set, but KAFKA_SASL_MECHANISM is ${mechanism}, not oauthbearer`);
  const username = env.KAFKA_SASL_USERNAME?.trim();
  if (!username) throw new KafkaConfigError('KAFKA_SASL_MECHANISM is set: KAFKA_SASL_USERNAME is required');
  return { mechanism: mechanism as Exclude<Mechanism, 'oauthbearer'>, username, password: password(env) };
}

function certificate(setting: string, path: string): string {
  const pem = readText(setting, path);
  try {
    new X509Certificate(pem);
  } catch {
    throw new KafkaConfigError(`${setting}: ${path} holds no PEM certificate`);
  }
  return pem;
}

function ssl(env: Env): KafkaSecurity['ssl'] {
  const on = flag(env, 'KAFKA_SSL');
  const files = set(env, ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE']);
  if (!on) {
    if (files.length > 0) throw new KafkaConfigError(`${files.join(', ')} set without KAFKA_SSL=true`);
    return undefined;
  }
  const { KAFKA_SSL_CA_FILE: caFile, KAFKA_SSL_CERT_FILE: certFile, KAFKA_SSL_KEY_FILE: keyFile } = env;
  if (certFile && !keyFile)
    throw new KafkaConfigError('KAFKA_SSL_CERT_FILE is set: KAFKA_SSL_KEY_FILE is required (mutual TLS needs the certificate and its key)');
  if (keyFile && !certFile)
    throw new KafkaConfigError('KAFKA_SSL_KEY_FILE is set: KAFKA_SSL_CERT_FILE is required (mutual TLS needs the certificate and its key)');
  const options: Exclude<KafkaSecurity['ssl'], true | undefined> = {};
  if (caFile) options.ca = [certificate('KAFKA_SSL_CA_FILE', caFile)];
  if (certFile && keyFile) {
    const cert = certificate('KAFKA_SSL_CERT_FILE', certFile);
    const key = readText('KAFKA_SSL_KEY_FILE', keyFile);
    if (/ENCRYPTED/.test(key))
      throw new KafkaConfigError(`KAFKA_SSL_KEY_FILE: ${keyFile} is encrypted; give the key unencrypted in a file only the service can read`);
    let privateKey;
    try {
      privateKey = createPrivateKey(key);
    } catch {
      throw new KafkaConfigError(`KAFKA_SSL_KEY_FILE: ${keyFile} holds no PEM private key`);
    }
    if (!new X509Certificate(cert).checkPrivateKey(privateKey)) {
      throw new KafkaConfigError(`KAFKA_SSL_KEY_FILE: ${keyFile} is not the key of the certificate in KAFKA_SSL_CERT_FILE (${certFile})`);
    }
    options.cert = cert;
    options.key = key;
  }
  return Object.keys(options).length > 0 ? options : true;
}

/**
 * Reads the client's Kafka security from the environment (docs/kafka-security.md):
 * - TLS: `KAFKA_SSL=true`, a private CA in `KAFKA_SSL_CA_FILE`, and for mutual TLS the client's
 *   certificate and unencrypted key in `KAFKA_SSL_CERT_FILE` and `KAFKA_SSL_KEY_FILE`;
 * - SASL: `KAFKA_SASL_MECHANISM` plain | scram-sha-256 | scram-sha-512 with `KAFKA_SASL_USERNAME`
 *   and `KAFKA_SASL_PASSWORD` or `KAFKA_SASL_PASSWORD_FILE`; or oauthbearer with a token from
 *   `KAFKA_SASL_OAUTHBEARER_TOKEN_FILE` (re-read at each login) or from a client-credentials
 *   token endpoint (`…_TOKEN_ENDPOINT_URL`, `…_CLIENT_ID`, `…_CLIENT_SECRET_FILE`, `…_SCOPE`).
 *   PLAIN and OAUTHBEARER require TLS unless `KAFKA_ALLOW_CLEARTEXT_SASL=true` (dev only).
 * Nothing set: no security, as before. A half-made setting throws a one-line KafkaConfigError.
 */
export function kafkaSecurityFromEnv(env: Env = process.env): KafkaSecurity {
  const security: KafkaSecurity = {};
  const t = ssl(env);
  if (t) security.ssl = t;
  const s = sasl(env, t !== undefined);
  if (s) security.sasl = s;
  return security;
}
