import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ErrorKind, FieldError, ValidationFailed } from '@caravanserai/contracts';
import { RateLimited } from './hardening';
import { negotiateLanguage } from './problems/language';
import { PROBLEM_CONTENT_TYPE, ProblemSource, toProblem } from './problems/problem';

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

/** Every code the filter itself gives (besides the errors' own): problem-catalogue.spec.ts checks each has its entry. */
export const FILTER_CODES = [
  ...new Set([...Object.values(FASTIFY_CODES).map((c) => c.code), ...Object.values(HTTP_CODES), 'REQUEST.MALFORMED_JSON', 'INTERNAL']),
];

/**
 * One filter per app maps every error to an RFC 9457 problem (`application/problem+json`): `type`
 * (urn:caravanserai:problem:<code>), `title`, `status`, `detail`, `instance` (the request), and
 * the stable `code`, `message` (= detail), `errors` and `requestId` as before. Title, detail and
 * field messages follow Accept-Language (en, ru; problems/). Nothing internal (stack, SQL, driver
 * message) ever reaches the caller: unknown errors are logged and answered as a plain 500.
 */
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest | undefined>();
    const requestId = request?.id;
    const lang = negotiateLanguage(request?.headers?.['accept-language']);
    // The request id (also in the x-request-id header and the access log) lets a caller's report
    // be matched with the service's log lines.
    const problem = toProblem(this.describe(exception, requestId), lang, requestId);
    void reply
      .status(problem.status)
      .header('content-type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`)
      .header('content-language', lang)
      .header('vary', varyWithLanguage(reply.getHeader('vary')))
      .send(problem);
  }

  private describe(exception: unknown, requestId?: string): ProblemSource {
    if (exception instanceof ValidationFailed) {
      return {
        status: STATUS[exception.kind],
        code: exception.code,
        detail: exception.message,
        errors: exception.errors,
        nothingStored: exception.kind === 'unprocessable',
      };
    }
    if (exception instanceof DomainError) {
      const { errors, ...extensions } = exception.details ?? {};
      return {
        status: STATUS[exception.kind],
        code: exception.code,
        detail: exception.message,
        extensions,
        ...(Array.isArray(errors) ? { errors: errors as FieldError[] } : {}),
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'object' && response !== null && 'message' in response ? (response as { message: unknown }).message : exception.message;
      return {
        status,
        code: HTTP_CODES[status] ?? `HTTP.${status}`,
        detail: Array.isArray(message) ? message.join('; ') : String(message),
        ...(Array.isArray(message) ? { errors: message.map((m) => ({ field: String(m).split(' ')[0], message: m })) } : {}),
      };
    }
    const fastifyCode = (exception as { code?: string })?.code;
    if (fastifyCode && FASTIFY_CODES[fastifyCode]) {
      const { status, code } = FASTIFY_CODES[fastifyCode];
      return { status, code, detail: (exception as Error).message };
    }
    const statusCode = (exception as { statusCode?: number })?.statusCode;
    if (exception instanceof RateLimited) return { status: 429, code: exception.code, detail: exception.message };
    if (exception instanceof SyntaxError || (statusCode === 400 && exception instanceof Error)) {
      return { status: 400, code: 'REQUEST.MALFORMED_JSON', detail: 'the request body is not valid JSON' };
    }
    // Name, driver code and stack frames, not the message: a driver's message can quote the
    // values it was given (`invalid input syntax for type date: "…"`), and no log holds those.
    const code = (exception as { code?: unknown })?.code;
    this.logger.error({
      message: 'unhandled error',
      requestId,
      error: exception instanceof Error ? exception.name : typeof exception,
      ...(typeof code === 'string' ? { code } : {}),
      frames:
        exception instanceof Error
          ? (exception.stack ?? '')
              .split('\n')
              .filter((l) => /^\s+at /.test(l))
              .map((l) => l.trim())
          : [],
    });
    return { status: 500, code: 'INTERNAL', detail: 'internal error' };
  }
}

/** A Vary header that also names Accept-Language, keeping what is there. */
function varyWithLanguage(current: unknown): string {
  const names = String(current ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  return names.some((n) => n.toLowerCase() === 'accept-language') ? names.join(', ') : [...names, 'Accept-Language'].join(', ');
}
