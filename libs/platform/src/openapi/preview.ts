import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildOpenApiDocument, OpenApiInfo, operationSources } from './openapi-document';

/**
 * A service's OpenAPI document from its module alone: the app is created in Nest's preview mode,
 * which resolves the module graph without instantiating a provider, so no database or broker is
 * touched. The module must already be importable (its configuration validated).
 */
export async function previewOpenApi(module: unknown, info: OpenApiInfo): Promise<{ document: OpenAPIObject; sources: Map<string, string> }> {
  const app = await NestFactory.create(module as never, new FastifyAdapter(), { preview: true, logger: false, abortOnError: false });
  try {
    return { document: buildOpenApiDocument(app, info), sources: operationSources(app) };
  } finally {
    await app.close();
  }
}

/** The document as committed: JSON, two spaces, a final newline. */
export const serialiseOpenApi = (document: OpenAPIObject): string => `${JSON.stringify(document, null, 2)}\n`;

export function writeOpenApi(path: string, document: OpenAPIObject): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, serialiseOpenApi(document));
}
