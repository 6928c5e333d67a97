import { CallHandler, ExecutionContext, Injectable, NestInterceptor, UseInterceptors, applyDecorators } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, Observable } from 'rxjs';

/**
 * Conditional GET (RFC 9110 §8.8.3, §13.1.2). The entity tag is a hash of the exact bytes served,
 * so it changes exactly when that caller's representation would: a new release, an agreement
 * change, another principal (the answers name it), another format or language — and never
 * otherwise. A tag built from "release id + principal + query" would be cheaper but wrong when an
 * agreement changes between two releases; hashing costs a few milliseconds per megabyte, and the
 * answers that are cached per release keep their tag with them (`ETAG_HEADER` set beforehand).
 */
export function etagOf(body: string | Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/** Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks for GET). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => t.trim() === '*' || strip(t) === strip(etag));
}

/** The request headers these answers vary by: the caller (its key), the format and the language. */
export const VARY_BY = 'Authorization, Accept, Accept-Language';

/**
 * Serialises a handler's result (a string as it is; anything else as JSON), sets `ETag`, `Vary`
 * and `Cache-Control: private, no-cache` (keep it, but ask each time: the answer is the caller's
 * own), and answers 304 with no body when `If-None-Match` already names it: returns the body to
 * send. Called once the handler has run in full — so an audited answer is audited the same whether
 * it ends in 200 or 304: a 304 tells the caller that what it holds is still what it may see, a
 * disclosure decision too.
 */
export function answerConditionally(request: FastifyRequest, reply: FastifyReply, result: unknown): unknown {
  if (reply.statusCode !== 200) return result;
  const body = typeof result === 'string' || Buffer.isBuffer(result) ? result : JSON.stringify(result);
  if (typeof result !== 'string' && !Buffer.isBuffer(result) && !reply.hasHeader('content-type')) {
    reply.header('content-type', 'application/json; charset=utf-8');
  }
  const etag = (reply.getHeader('etag') as string | undefined) ?? etagOf(body);
  reply.header('etag', etag);
  reply.header('vary', VARY_BY);
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-cache');
  if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) {
    reply.status(304);
    reply.removeHeader('content-disposition');
    return '';
  }
  return body;
}

/**
 * answerConditionally on a route's result, as an interceptor (`@Conditional()`). A route on the
 * hot path may call answerConditionally itself instead: Nest's interceptor chain (an RxJS pipeline
 * and an AsyncResource per call) costs more than the rest of a repeated answer's serving.
 */
@Injectable()
export class ConditionalInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    return next.handle().pipe(map((result: unknown) => answerConditionally(request, reply, result)));
  }
}

/** `ETag`, `If-None-Match` → 304 and `Vary` on a GET route (see ConditionalInterceptor). */
export const Conditional = () => applyDecorators(UseInterceptors(ConditionalInterceptor));
