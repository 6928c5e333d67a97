import { INestApplication, Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { attachedPrincipal } from '../principal';
import { AppMetrics } from './metrics';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A caller's request id is kept when it is a plain token (letters, digits, `-_.:`, at most 64
 * characters, as uuids and most proxies' ids are); anything else is replaced by a fresh uuid, so
 * that no free text a caller sends reaches a log line. */
const VALID_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export function requestIdOf(request: Pick<IncomingMessage, 'headers'>): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The label of a request in metrics and logs: its route's template (`/v1/referrals/:id`), never
 * the URL a caller sent (which may hold identifiers, and whose variety no metric store survives). */
export function routeTemplate(request: FastifyRequest): string {
  return request.routeOptions?.url ?? 'unmatched';
}

/**
 * Request ids, the access log and the HTTP duration histogram, as Fastify hooks on every route:
 * - the id (Fastify's `request.id`, see createFastifyAdapter) is returned as `x-request-id` on every
 *   answer and as `requestId` in error bodies (AppExceptionFilter);
 * - one access log line per request (`info`; health probes `debug`): method, route template,
 *   status, duration, request id and the caller's principal — no URL, query, header or body;
 * - http_request_duration_seconds{method, route, status_code} in the app's own registry.
 */
export function registerHttpObservability(app: INestApplication): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  const metrics = resolve(app);
  const access = new Logger('http');
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
  });
  fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = routeTemplate(request);
    const durationMs = reply.elapsedTime;
    metrics?.observeRequest(request.method, route, reply.statusCode, durationMs / 1000);
    const principal = principalOf(request);
    // Health probes (an orchestrator's, every few seconds) only at LOG_LEVEL=debug.
    const write = route === '/v1/health' || route.startsWith('/v1/health/') ? access.debug.bind(access) : access.log.bind(access);
    write({
      message: 'request',
      requestId: request.id,
      method: request.method,
      route,
      status: reply.statusCode,
      durationMs: Math.round(durationMs * 10) / 10,
      ...(principal ? { principal } : {}),
    });
  });
}

function resolve(app: INestApplication): AppMetrics | null {
  try {
    return app.get(AppMetrics, { strict: false });
  } catch {
    return null; // an app without MetricsModule (a test module) records no HTTP metrics
  }
}

function principalOf(request: FastifyRequest): string | null {
  return attachedPrincipal(request)?.id ?? null;
}
