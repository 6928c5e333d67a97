import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ErrorKind, ValidationFailed } from '@caravanserai/contracts';
import { RateLimited } from './hardening';

const STATUS: Record<ErrorKind, number> = {
  bad_request: HttpStatus.BAD_REQUEST,
  unauthorized: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/** Fastify's own errors (raised before Nest sees the request) that are the caller's fault. */
const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'REQUEST.BODY_TOO_LARGE' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'REQUEST.EMPTY_BODY' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'REQUEST.BAD_CONTENT_LENGTH' },
};

/** Stable codes for what Nest or Fastify raise as plain HTTP errors. */
const HTTP_CODES: Record<number, string> = {
  400: 'REQUEST.BAD',
  404: 'NOT_FOUND',
  413: 'REQUEST.BODY_TOO_LARGE',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
};

/**
 * One filter per app maps every error to a JSON body `{code, message, errors?, requestId}`. Nothing
 * internal (stack, SQL, driver message) ever reaches the caller: unknown errors are logged and
 * answered as a plain 500.
 */
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const requestId = host.switchToHttp().getRequest<FastifyRequest | undefined>()?.id;
    const { status, body } = this.describe(exception, requestId);
    // The request id (also in the x-request-id header and the access log) lets a caller's report
    // be matched with the service's log lines.
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(requestId ? { ...body, requestId } : body);
  }

  private describe(exception: unknown, requestId?: string): { status: number; body: Record<string, unknown> } {
    if (exception instanceof ValidationFailed) {
      return { status: STATUS[exception.kind], body: { code: exception.code, message: exception.message, errors: exception.errors } };
    }
    if (exception instanceof DomainError) {
      return { status: STATUS[exception.kind], body: { code: exception.code, message: exception.message, ...exception.details } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'object' && response !== null && 'message' in response
          ? (response as { message: unknown }).message
          : exception.message;
      return {
        status,
        body: {
          code: HTTP_CODES[status] ?? `HTTP.${status}`,
          message: Array.isArray(message) ? message.join('; ') : String(message),
          ...(Array.isArray(message) ? { errors: message.map((m) => ({ field: String(m).split(' ')[0], message: m })) } : {}),
        },
      };
    }
    const fastifyCode = (exception as { code?: string })?.code;
    if (fastifyCode && FASTIFY_CODES[fastifyCode]) {
      const { status, code } = FASTIFY_CODES[fastifyCode];
      return { status, body: { code, message: (exception as Error).message } };
    }
    const statusCode = (exception as { statusCode?: number })?.statusCode;
    if (exception instanceof RateLimited) return { status: 429, body: { code: exception.code, message: exception.message } };
    if (exception instanceof SyntaxError || (statusCode === 400 && exception instanceof Error)) {
      return { status: 400, body: { code: 'REQUEST.MALFORMED_JSON', message: 'the request body is not valid JSON' } };
    }
    // Name, driver code and stack frames, not the message: a driver's message can quote the
    // values it was given (`invalid input syntax for type date: "…"`), and no log holds those.
    const code = (exception as { code?: unknown })?.code;
    this.logger.error({
      message: 'unhandled error',
      requestId,
      error: exception instanceof Error ? exception.name : typeof exception,
      ...(typeof code === 'string' ? { code } : {}),
      frames: exception instanceof Error ? (exception.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).map((l) => l.trim()) : [],
    });
    return { status: 500, body: { code: 'INTERNAL', message: 'internal error' } };
  }
}
