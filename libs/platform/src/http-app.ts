import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { AppExceptionFilter } from './exception.filter';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { RateLimitOptions, registerHardening } from './hardening';
import { registerHttpObservability, requestIdOf } from './observability/http-observability';
import { StructuredLogger } from './observability/logger';
import { AppValidationPipe } from './validation.pipe';

export interface HttpAppOptions {
  title: string;
  description: string;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** Per-caller request limit (see hardening.ts). */
  rateLimit: RateLimitOptions;
}

/** Builds a service on Fastify with the settings every Caravanserai service shares: strict
 * validation, one error format, security headers, a per-caller rate limit, OpenAPI at /docs,
 * clean shutdown on SIGTERM/SIGINT. */
export async function createHttpApp(module: unknown, options: HttpAppOptions): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(module as never, createFastifyAdapter(options.bodyLimit), {
    // One line per event, JSON unless in a terminal (LOG_FORMAT, LOG_LEVEL; docs/operations.md).
    logger: new StructuredLogger(),
    bufferLogs: false,
  });
  configureHttpApp(app);
  await registerHardening(app, options.rateLimit);
  // The same document `npm run openapi` commits to docs/openapi/ (openapi/openapi-document.ts).
  const document = buildOpenApiDocument(app, options);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
  app.enableShutdownHooks();
  return app;
}

export function createFastifyAdapter(bodyLimit: number): FastifyAdapter {
  // Every request gets an id (the caller's x-request-id when it is a plain token, else a uuid):
  // returned in the x-request-id header and in error bodies, written in the access log.
  const adapter = new FastifyAdapter({ bodyLimit, logger: false, requestIdHeader: false, genReqId: requestIdOf });
  // JSON only: a text/plain body is refused with 415 rather than handed to validation as a string.
  adapter.getInstance().removeContentTypeParser(['text/plain']);
  return adapter;
}

/** Pipes, filters and the request hooks (request id, access log, HTTP metrics), separate so that tests building the app through Nest's testing module get
 * exactly the same behaviour. */
export function configureHttpApp(app: INestApplication): void {
  app.useGlobalPipes(new AppValidationPipe());
  app.useGlobalFilters(new AppExceptionFilter());
  registerHttpObservability(app);
}

export async function listen(app: NestFastifyApplication, port: number, host: string, name: string): Promise<void> {
  await app.listen(port, host);
  new Logger(name).log(`listening on http://${host}:${port} (OpenAPI at /docs)`);
}
