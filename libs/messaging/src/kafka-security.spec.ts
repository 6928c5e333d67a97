import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaConfigError, kafkaSecurityFromEnv } from './kafka-security';

describe('kafkaSecurityFromEnv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
  const passwordFile = join(dir, 'node-af.password');
  writeFileSync(passwordFile, 's3cret-from-file\n');

  it('asks nothing of the brokers when no setting is given (the local PLAINTEXT broker)', () => {
    expect(kafkaSecurityFromEnv({})).toEqual({});
  });

  it('reads SCRAM credentials with the password inline', () => {
    expect(kafkaSecurityFromEnv({ KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'node-af', KAFKA_SASL_PASSWORD: 'pw' })).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'node-af', password: 'pw' },
    });
  });

  it('reads the password from the first line of a file', () => {
    const security = kafkaSecurityFromEnv({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'node-af', KAFKA_SASL_PASSWORD_FILE: passwordFile });
    expect(security.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'node-af', password: 's3cret-from-file' });
  });

  it('turns TLS on with the system CAs or a CA file', () => {
    expect(kafkaSecurityFromEnv({ KAFKA_SSL: 'true' })).toEqual({ ssl: true });
    writeFileSync(join(dir, 'ca.pem'), 'PEM');
    expect(kafkaSecurityFromEnv({ KAFKA_SSL: '1', KAFKA_SSL_CA_FILE: join(dir, 'ca.pem') })).toEqual({ ssl: { ca: ['PEM'] } });
  });

  it.each([
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b' }, 'KAFKA_SASL_MECHANISM must be one of scram-sha-256, scram-sha-512 (got "plain")'],
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: 'b' }, 'KAFKA_SASL_MECHANISM is set: KAFKA_SASL_USERNAME is required'],
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'a' }, 'KAFKA_SASL_MECHANISM is set: KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required'],
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b', KAFKA_SASL_PASSWORD_FILE: passwordFile }, 'set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both'],
    [{ KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b' }, 'KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD set without KAFKA_SASL_MECHANISM (scram-sha-512)'],
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD_FILE: join(dir, 'missing') }, `KAFKA_SASL_PASSWORD_FILE: cannot read ${join(dir, 'missing')} (ENOENT)`],
    [{ KAFKA_SSL: 'yes' }, 'KAFKA_SSL must be true or false (got "yes")'],
    [{ KAFKA_SSL_CA_FILE: '/ca.pem' }, 'KAFKA_SSL_CA_FILE set without KAFKA_SSL=true'],
  ])('refuses a half-made setting with a one-line error: %j', (env, message) => {
    const attempt = () => kafkaSecurityFromEnv(env);
    expect(attempt).toThrow(KafkaConfigError);
    expect(attempt).toThrow(message);
    expect(message).not.toContain('\n');
  });

  it('refuses an empty password file', () => {
    const empty = join(dir, 'empty.password');
    writeFileSync(empty, '');
    expect(() => kafkaSecurityFromEnv({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD_FILE: empty })).toThrow(`KAFKA_SASL_PASSWORD_FILE: ${empty} is empty`);
  });
});
