import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaConfigError, kafkaSecurityFromEnv } from './kafka-security';
import { OAuthClientCredentials } from './oauth-token';

describe('kafkaSecurityFromEnv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
  const at = (name: string) => join(dir, name);
  const passwordFile = at('node-af.password');
  writeFileSync(passwordFile, 's3cret-from-file\n');
  writeFileSync(at('token'), 'eyJ.token.sig\n');
  writeFileSync(at('client.secret'), 'client-secret\n');
  writeFileSync(at('empty'), '');
  writeFileSync(at('not-pem'), 'hello');
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  // A CA, a client certificate it signed with its key, another key, and an encrypted copy of the key.
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-subj',
    '/CN=test-ca',
    '-days',
    '1',
  );
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=node-af');
  openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '1');
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'other.key');
  openssl('pkcs8', '-topk8', '-in', 'client.key', '-out', 'client-encrypted.key', '-passout', 'pass:secret');

  const mtls = { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: at('ca.pem'), KAFKA_SSL_CERT_FILE: at('client.pem'), KAFKA_SSL_KEY_FILE: at('client.key') };
  const oauthEndpoint = {
    KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL: 'https://login.example/oauth2/token',
    KAFKA_SASL_OAUTHBEARER_CLIENT_ID: 'node-af',
    KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE: at('client.secret'),
  };

  it('asks nothing of the brokers when no setting is given (the local PLAINTEXT broker)', () => {
    expect(kafkaSecurityFromEnv({})).toEqual({});
  });

  it('reads SCRAM credentials with the password inline or from the first line of a file', () => {
    expect(kafkaSecurityFromEnv({ KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'node-af', KAFKA_SASL_PASSWORD: 'pw' })).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'node-af', password: 'pw' },
    });
    const security = kafkaSecurityFromEnv({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'node-af', KAFKA_SASL_PASSWORD_FILE: passwordFile });
    expect(security.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'node-af', password: 's3cret-from-file' });
  });

  it('turns TLS on with the system CAs or a CA file', () => {
    expect(kafkaSecurityFromEnv({ KAFKA_SSL: 'true' })).toEqual({ ssl: true });
    const ssl = kafkaSecurityFromEnv({ KAFKA_SSL: '1', KAFKA_SSL_CA_FILE: at('ca.pem') }).ssl;
    expect(ssl).toEqual({ ca: [expect.stringContaining('BEGIN CERTIFICATE')] });
  });

  it('gives the client certificate and its key for mutual TLS', () => {
    const ssl = kafkaSecurityFromEnv(mtls).ssl as { cert: string; key: string; ca: string[] };
    expect(ssl.cert).toContain('BEGIN CERTIFICATE');
    expect(ssl.key).toContain('PRIVATE KEY');
    expect(ssl.ca).toHaveLength(1);
  });

  it('takes SASL PLAIN over TLS, and without TLS only with the dev flag', () => {
    const plain = { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD_FILE: passwordFile };
    expect(kafkaSecurityFromEnv({ ...plain, KAFKA_SSL: 'true' })).toEqual({
      ssl: true,
      sasl: { mechanism: 'plain', username: 'svc', password: 's3cret-from-file' },
    });
    expect(kafkaSecurityFromEnv({ ...plain, KAFKA_ALLOW_CLEARTEXT_SASL: 'true' }).sasl).toMatchObject({ mechanism: 'plain' });
  });

  it('takes an OAUTHBEARER token from a file, re-read at each login', async () => {
    const file = at('rotating-token');
    writeFileSync(file, 'first\n');
    const sasl = kafkaSecurityFromEnv({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: file }).sasl as {
      mechanism: string;
      oauthBearerProvider: () => Promise<{ value: string }>;
    };
    expect(sasl.mechanism).toBe('oauthbearer');
    expect(await sasl.oauthBearerProvider()).toEqual({ value: 'first' });
    writeFileSync(file, 'second\n');
    expect(await sasl.oauthBearerProvider()).toEqual({ value: 'second' });
  });

  describe('OAUTHBEARER from a client-credentials token endpoint', () => {
    let server: Server;
    let url: string;
    const requests: { authorization?: string; body: string }[] = [];
    let expiresIn = 3600;
    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          requests.push({ authorization: req.headers.authorization, body });
          const ok = req.headers.authorization === `Basic ${Buffer.from('node-af:client-secret').toString('base64')}`;
          res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
          res.end(JSON.stringify(ok ? { access_token: `token-${requests.length}`, token_type: 'Bearer', expires_in: expiresIn } : { error: 'invalid_client' }));
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
    });
    afterAll(() => new Promise((r) => server.close(r)));

    it('logs in with HTTP Basic, asks for the scope, and keeps the token until shortly before it expires', async () => {
      const sasl = kafkaSecurityFromEnv({
        ...oauthEndpoint,
        KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL: url,
        KAFKA_SASL_OAUTHBEARER_SCOPE: 'kafka',
        KAFKA_SASL_MECHANISM: 'oauthbearer',
        KAFKA_ALLOW_CLEARTEXT_SASL: 'true',
      }).sasl as { oauthBearerProvider: () => Promise<{ value: string }> };
      const tokens = await Promise.all([sasl.oauthBearerProvider(), sasl.oauthBearerProvider(), sasl.oauthBearerProvider()]);
      expect(tokens).toEqual([{ value: 'token-1' }, { value: 'token-1' }, { value: 'token-1' }]);
      expect(requests).toHaveLength(1);
      expect(new URLSearchParams(requests[0].body).get('grant_type')).toBe('client_credentials');
      expect(new URLSearchParams(requests[0].body).get('scope')).toBe('kafka');
    });

    it('asks again when the token is about to expire, and reports a refusal without the secret', async () => {
      let now = 1_000_000;
      expiresIn = 100;
      const source = new OAuthClientCredentials({ url, clientId: 'node-af', clientSecret: 'client-secret' }, () => now);
      const first = await source.token();
      now += 89_000; // 100 s token, kept until 10 s before its end
      expect(await source.token()).toEqual(first);
      now += 2_000;
      expect(await source.token()).not.toEqual(first);
      const wrong = new OAuthClientCredentials({ url, clientId: 'node-af', clientSecret: 'wrong' });
      await expect(wrong.token()).rejects.toThrow(`token endpoint ${url} answered 401 (invalid_client)`);
      await expect(wrong.token()).rejects.not.toThrow(/wrong/);
    });
  });

  it.each([
    // SASL
    [
      { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b' },
      'KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512, oauthbearer (got "gssapi")',
    ],
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: 'b' }, 'KAFKA_SASL_MECHANISM is set: KAFKA_SASL_USERNAME is required'],
    [
      { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'a' },
      'KAFKA_SASL_MECHANISM is set: KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required',
    ],
    [
      { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b', KAFKA_SASL_PASSWORD_FILE: passwordFile },
      'set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both',
    ],
    [{ KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b' }, 'KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD set without KAFKA_SASL_MECHANISM'],
    [
      { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD_FILE: at('missing') },
      `KAFKA_SASL_PASSWORD_FILE: cannot read ${at('missing')} (ENOENT)`,
    ],
    [
      { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD_FILE: at('empty') },
      `KAFKA_SASL_PASSWORD_FILE: ${at('empty')} is empty`,
    ],
    // PLAIN without TLS
    [
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b' },
      'KAFKA_SASL_MECHANISM=plain sends its credential in clear without TLS: set KAFKA_SSL=true (or KAFKA_ALLOW_CLEARTEXT_SASL=true on a dev machine)',
    ],
    [
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b', KAFKA_ALLOW_CLEARTEXT_SASL: 'maybe' },
      'KAFKA_ALLOW_CLEARTEXT_SASL must be true or false (got "maybe")',
    ],
    // OAUTHBEARER
    [
      { KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'oauthbearer' },
      'KAFKA_SASL_MECHANISM=oauthbearer: set KAFKA_SASL_OAUTHBEARER_TOKEN_FILE or KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL (with _CLIENT_ID and _CLIENT_SECRET_FILE)',
    ],
    [
      { KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: at('token') },
      'KAFKA_SASL_MECHANISM=oauthbearer sends its credential in clear without TLS: set KAFKA_SSL=true (or KAFKA_ALLOW_CLEARTEXT_SASL=true on a dev machine)',
    ],
    [
      { KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: at('token'), ...oauthEndpoint },
      'set KAFKA_SASL_OAUTHBEARER_TOKEN_FILE or KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL, not both',
    ],
    [
      { KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: at('token'), KAFKA_SASL_OAUTHBEARER_CLIENT_ID: 'x' },
      'KAFKA_SASL_OAUTHBEARER_CLIENT_ID set without KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL',
    ],
    [
      { KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: at('empty') },
      `KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: ${at('empty')} is empty`,
    ],
    [
      { KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'oauthbearer', ...oauthEndpoint, KAFKA_SASL_OAUTHBEARER_CLIENT_ID: '' },
      'KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL is set: KAFKA_SASL_OAUTHBEARER_CLIENT_ID is required',
    ],
    [
      { KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'oauthbearer', ...oauthEndpoint, KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE: '' },
      'KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL is set: KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE is required',
    ],
    [
      { KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'oauthbearer', ...oauthEndpoint, KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL: 'http://login.example/token' },
      'KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL must be an https:// URL (http:// only with KAFKA_ALLOW_CLEARTEXT_SASL=true on a dev machine)',
    ],
    [
      { KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'oauthbearer', ...oauthEndpoint, KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL: 'login.example' },
      'KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL is not a URL (got "login.example")',
    ],
    [
      { KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: at('token'), KAFKA_SASL_USERNAME: 'a' },
      'KAFKA_SASL_USERNAME not used with KAFKA_SASL_MECHANISM=oauthbearer (the token is the credential)',
    ],
    [{ KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: at('token') }, 'KAFKA_SASL_OAUTHBEARER_TOKEN_FILE set without KAFKA_SASL_MECHANISM'],
    [
      { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b', KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: at('token') },
      'KAFKA_SASL_OAUTHBEARER_TOKEN_FILE set, but KAFKA_SASL_MECHANISM is scram-sha-512, not oauthbearer',
    ],
    // TLS and mutual TLS
    [{ KAFKA_SSL: 'yes' }, 'KAFKA_SSL must be true or false (got "yes")'],
    [{ KAFKA_SSL_CA_FILE: '/ca.pem' }, 'KAFKA_SSL_CA_FILE set without KAFKA_SSL=true'],
    [{ KAFKA_SSL_CERT_FILE: at('client.pem'), KAFKA_SSL_KEY_FILE: at('client.key') }, 'KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE set without KAFKA_SSL=true'],
    [{ ...mtls, KAFKA_SSL_KEY_FILE: undefined }, 'KAFKA_SSL_CERT_FILE is set: KAFKA_SSL_KEY_FILE is required (mutual TLS needs the certificate and its key)'],
    [{ ...mtls, KAFKA_SSL_CERT_FILE: undefined }, 'KAFKA_SSL_KEY_FILE is set: KAFKA_SSL_CERT_FILE is required (mutual TLS needs the certificate and its key)'],
    [{ ...mtls, KAFKA_SSL_CERT_FILE: at('not-pem') }, `KAFKA_SSL_CERT_FILE: ${at('not-pem')} holds no PEM certificate`],
    [{ ...mtls, KAFKA_SSL_CA_FILE: at('not-pem') }, `KAFKA_SSL_CA_FILE: ${at('not-pem')} holds no PEM certificate`],
    [{ ...mtls, KAFKA_SSL_KEY_FILE: at('not-pem') }, `KAFKA_SSL_KEY_FILE: ${at('not-pem')} holds no PEM private key`],
    [
      { ...mtls, KAFKA_SSL_KEY_FILE: at('client-encrypted.key') },
      `KAFKA_SSL_KEY_FILE: ${at('client-encrypted.key')} is encrypted; give the key unencrypted in a file only the service can read`,
    ],
    [
      { ...mtls, KAFKA_SSL_KEY_FILE: at('other.key') },
      `KAFKA_SSL_KEY_FILE: ${at('other.key')} is not the key of the certificate in KAFKA_SSL_CERT_FILE (${at('client.pem')})`,
    ],
    [{ ...mtls, KAFKA_SSL_CERT_FILE: at('missing.pem') }, `KAFKA_SSL_CERT_FILE: cannot read ${at('missing.pem')} (ENOENT)`],
  ])('refuses a half-made setting with a one-line error: %j', (env, message) => {
    const attempt = () => kafkaSecurityFromEnv(env as Record<string, string | undefined>);
    expect(attempt).toThrow(KafkaConfigError);
    expect(attempt).toThrow(message);
    expect(message).not.toContain('\n');
  });
});
