import type { OpenAPIObject } from '@nestjs/swagger';
import { ROLES_EXTENSION } from './openapi-document';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/**
 * What a client generator needs and an operation of the document lacks, each said with the
 * operation, the controller method it comes from and what to add. Empty when complete.
 */
export function missingInOpenApi(document: OpenAPIObject, sources: Map<string, string> = new Map()): string[] {
  const out: string[] = [];
  const ids = new Map<string, string>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = (item as Record<string, unknown>)[method] as Record<string, unknown> | undefined;
      if (!op) continue;
      const where = `${method.toUpperCase()} ${path} (${sources.get(`${method} ${path}`) ?? 'unknown handler'})`;
      const id = String(op.operationId ?? '');
      if (!/^[a-z][A-Za-z0-9]*$/.test(id))
        out.push(`${where}: no readable operationId (now "${id}"): set operationId in its @ApiOperation, e.g. listFeedItems`);
      else if (ids.has(id)) out.push(`${where}: operationId ${id} is also used by ${ids.get(id)}`);
      ids.set(id, where);
      const responses = (op.responses ?? {}) as Record<string, { content?: Record<string, { schema?: unknown }> }>;
      const success = Object.entries(responses).filter(([status]) => /^2\d\d$/.test(status));
      if (success.length === 0) out.push(`${where}: no success response: add @ApiResponse({ status: 200, ... }) with its schema`);
      for (const [status, response] of success) {
        if (status === '204') continue;
        const content = Object.entries(response.content ?? {});
        if (content.length === 0)
          out.push(
            `${where}: response ${status} has no content: add its schema (@ApiResponse({ status: ${status}, content: { 'application/json': { schema } } }))`,
          );
        for (const [type, media] of content) if (!media.schema) out.push(`${where}: response ${status} ${type} has no schema`);
      }
      const errors = Object.entries(responses).filter(([status]) => /^[45]\d\d$/.test(status));
      const security = op.security as unknown[] | undefined;
      const isPublic = Array.isArray(security) && security.length === 0;
      if (errors.length === 0) out.push(`${where}: no error responses (problem+json); is the document built by buildOpenApiDocument?`);
      for (const [status, response] of errors) {
        // Health and readiness (public) answer 503 with their own status body, by design.
        if (isPublic && status === '503') continue;
        if (!response.content?.['application/problem+json']) out.push(`${where}: error response ${status} is not application/problem+json`);
      }
      const roles = op[ROLES_EXTENSION] as unknown[] | undefined;
      if (!isPublic && !(Array.isArray(roles) && roles.length > 0))
        out.push(`${where}: neither a role (@Allow(...)) nor public (@Public()): add one to the controller or the method`);
      if (!isPublic && !(Array.isArray(security) && security.length > 0)) out.push(`${where}: no security requirement (bearer)`);
    }
  }
  return out;
}
