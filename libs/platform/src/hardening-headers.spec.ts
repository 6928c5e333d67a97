import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { registerHardening } from './hardening';

@Module({})
class EmptyModule {}

/** The security headers every answer carries: exactly those @fastify/helmet set with the same
 * options (recorded from it before helmet's middleware was built once at registration). */
const STRICT = {
  'content-security-policy':
    "default-src 'self';base-uri 'self';connect-src 'self';font-src 'self';form-action 'self';frame-ancestors 'none';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};
const DOCS_CSP =
  "default-src 'self'; base-uri 'self'; connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; img-src 'self' data:; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'";

describe('security headers (registerHardening)', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(EmptyModule, new FastifyAdapter(), { logger: false });
    await registerHardening(app, { max: 100, windowMs: 60_000 });
    app
      .getHttpAdapter()
      .getInstance()
      .get('/x', async () => 'ok');
    app
      .getHttpAdapter()
      .getInstance()
      .get('/docs/x', async () => 'ok');
    await app.init();
  });
  afterAll(() => app.close());

  const security = (headers: Record<string, unknown>) => Object.fromEntries(Object.keys(STRICT).map((k) => [k, headers[k]]));

  it('sets the strict set on every answer, the same at each request', async () => {
    for (let i = 0; i < 3; i++) expect(security((await app.inject({ method: 'GET', url: '/x' })).headers)).toEqual(STRICT);
    const missing = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(missing.statusCode).toBe(404);
    expect(security(missing.headers)).toEqual(STRICT);
    expect(missing.headers['x-powered-by']).toBeUndefined();
  });

  it('relaxes only the style policy, only under /docs', async () => {
    const docs = await app.inject({ method: 'GET', url: '/docs/x' });
    expect(security(docs.headers)).toEqual({ ...STRICT, 'content-security-policy': DOCS_CSP });
  });
});
