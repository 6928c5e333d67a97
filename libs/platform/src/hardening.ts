import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';

export interface RateLimitOptions {
  /** Requests one caller may make in a window. */
  max: number;
  /** Length of the (fixed) window, in milliseconds. */
  windowMs: number;
}

/** A strict policy for every response: nothing from elsewhere, no inline script or style, no framing.
 * The web console (served from /console, no inline code) lives within it. */
const STRICT_CSP = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  // No upgrade-insecure-requests: the services speak plain HTTP behind whatever terminates TLS.
};

/** Swagger UI (at /docs) loads its scripts from 'self' but writes its styles inline. */
const DOCS_CSP = Object.entries({ ...STRICT_CSP, 'style-src': ["'self'", "'unsafe-inline'"] })
  .map(([k, v]) => `${k} ${v.join(' ')}`)
  .join('; ');

const BEARER = /^Bearer cvs_([A-Za-z0-9-]+)_/;

/**
 * Who a request counts against: the API key's id when a key is presented (the part between
 * `cvs_` and the next `_`), else the client address (a self-declared name would let a caller pick
 * a fresh allowance at will). The
 * limit runs before authentication, so a made-up key id counts against itself: a flood of
 * invented ids is stopped by authentication (401), and by a per-address limit at the proxy.
 */
export function rateLimitKey(request: Pick<FastifyRequest, 'headers' | 'ip'>): string {
  const auth = request.headers.authorization;
  const key = typeof auth === 'string' ? BEARER.exec(auth)?.[1] : undefined;
  if (key) return `key:${key}`;
  return `ip:${request.ip}`;
}

/** Health and readiness are for orchestrators and must answer whatever the load. */
const exempt = (request: FastifyRequest) => request.url === '/v1/health' || request.url.startsWith('/v1/health/') || request.url.startsWith('/v1/health?');

/** The answer to a caller over its limit, in the services' error format; Retry-After is set by the plugin. */
export class RateLimited extends Error {
  readonly statusCode = 429;
  readonly code = 'REQUEST.RATE_LIMITED';
}

/**
 * Security headers (helmet, with a strict Content-Security-Policy relaxed only for /docs) and a
 * per-caller rate limit. Registered before Nest adds its routes, so every route gets both.
 *
 * Helmet's middleware is built once here and applied to each request (the headers @fastify/helmet
 * sets, hardening-headers.spec.ts): the plugin builds it anew at every request (its options parsed,
 * the CSP directives checked and joined), 3.6% of the aggregator's thread serving repeated questions.
 */
export async function registerHardening(app: NestFastifyApplication, limits: RateLimitOptions): Promise<void> {
  const securityHeaders = helmet({ contentSecurityPolicy: { useDefaults: false, directives: STRICT_CSP } });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, () => done()));
  fastify.addHook('onSend', async (request, reply) => {
    if (request.url === '/docs' || request.url.startsWith('/docs/')) reply.header('content-security-policy', DOCS_CSP);
  });
  await app.register(rateLimit, {
    global: true,
    max: limits.max,
    timeWindow: limits.windowMs,
    keyGenerator: rateLimitKey,
    allowList: exempt,
    errorResponseBuilder: (_request, context) =>
      new RateLimited(`too many requests: at most ${context.max} per ${limits.windowMs / 1000} s; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });
}
