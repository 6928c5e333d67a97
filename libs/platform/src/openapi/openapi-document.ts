import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ACCESS_RULES, AccessRule, PUBLIC_ROUTE } from '../auth/access.decorator';
import { API_PROBLEMS, ProblemsByStatus } from './api-problems.decorator';
import { PROBLEM_DETAILS_SCHEMA, problemContent } from './problem-schema';

export interface OpenApiInfo {
  title: string;
  description: string;
}

/** The extension that names the access rules of an operation (see libs/platform/src/auth). */
export const ROLES_EXTENSION = 'x-caravanserai-roles';

/** The route of each controller method, with what the guard and ApiProblems know of it. */
interface RouteFacts {
  controller: string;
  handler: string;
  rules: AccessRule[] | undefined;
  isPublic: boolean;
  /** Takes @Query() or @Param(): a parameter the pipes refuse is a 400, even one the DTO does not list. */
  takesParameters: boolean;
  problems: ProblemsByStatus;
}

function routes(app: INestApplication): Map<string, RouteFacts> {
  const out = new Map<string, RouteFacts>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: unknown[]) => unknown) | undefined;
      if (!controller?.prototype) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      for (const handler of Object.getOwnPropertyNames(controller.prototype)) {
        const fn = controller.prototype[handler];
        if (handler === 'constructor' || typeof fn !== 'function' || Reflect.getMetadata(PATH_METADATA, fn) === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod].toLowerCase();
        const path = `/${[base, String(Reflect.getMetadata(PATH_METADATA, fn))].join('/')}`
          .replace(/\/+/g, '/')
          .replace(/\/$/, '')
          .replace(/:(\w+)/g, '{$1}');
        const at = <T>(key: string): T | undefined =>
          (Reflect.getMetadata(key, fn) as T | undefined) ?? (Reflect.getMetadata(key, controller) as T | undefined);
        out.set(`${method} ${path || '/'}`, {
          controller: controller.name,
          handler,
          rules: at<AccessRule[]>(ACCESS_RULES),
          isPublic: at<boolean>(PUBLIC_ROUTE) === true,
          takesParameters: Object.keys(Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {}).some((k) =>
            [RouteParamtypes.QUERY, RouteParamtypes.PARAM].includes(Number(k.split(':')[0]) as RouteParamtypes),
          ),
          problems: at<ProblemsByStatus>(API_PROBLEMS) ?? {},
        });
      }
    }
  }
  return out;
}

type Operation = Record<string, unknown> & {
  responses: Record<string, Record<string, unknown>>;
  description?: string;
  parameters?: unknown[];
  requestBody?: unknown;
};

/** The error answers an operation gives by its kind; ApiProblems adds its own. */
function errorResponses(op: Operation, facts: RouteFacts | undefined, path: string): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  const add = (status: number, codes: string[]) => (errors[status] = [...new Set([...(errors[status] ?? []), ...codes])]);
  if ((op.parameters?.length ?? 0) > 0 || facts?.takesParameters) add(400, ['VALIDATION.FAILED', 'REQUEST.BAD']);
  if (op.requestBody) {
    add(400, ['REQUEST.BAD', 'REQUEST.EMPTY_BODY', 'REQUEST.BAD_CONTENT_LENGTH']);
    add(413, ['REQUEST.BODY_TOO_LARGE']);
    add(415, ['REQUEST.UNSUPPORTED_MEDIA_TYPE']);
    add(422, ['VALIDATION.FAILED']);
  }
  if (!facts?.isPublic) {
    add(401, ['AUTH.UNAUTHENTICATED']);
    add(403, ['AUTH.FORBIDDEN']);
    add(503, ['AUTH.UNAVAILABLE']);
  }
  // The rate limit spares health and readiness only (hardening.ts).
  if (!path.startsWith('/v1/health')) add(429, ['REQUEST.RATE_LIMITED']);
  add(500, ['INTERNAL']);
  for (const [status, codes] of Object.entries(facts?.problems ?? {})) add(Number(status), codes ?? []);
  return errors;
}

function roleText(rules: AccessRule[]): string {
  return `Access: ${rules.map((r) => (r === 'any' ? 'any API key' : `\`${r}\``)).join(' or ')} (${ROLES_EXTENSION}; docs/authentication.md).`;
}

/**
 * The OpenAPI document of a service, from its modules' metadata alone (no database or broker is
 * touched: `npm run openapi` builds it from an app created in preview mode). On top of what
 * @nestjs/swagger reads from the decorators it adds, for every operation, the access it needs
 * (Bearer and `x-caravanserai-roles` from @Allow, `security: []` for @Public) and its error
 * answers as `application/problem+json` (by its kind, and those it declares with @ApiProblems).
 */
export function buildOpenApiDocument(app: INestApplication, info: OpenApiInfo): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(info.title)
    .setDescription(info.description)
    .setVersion('1')
    // Every operation but health needs `Authorization: Bearer <api key>` (docs/authentication.md).
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key cvs_<keyId>_<secret>, issued with npm run cli -- keys create' }, 'bearer')
    .build();
  // The id says which method made it, so that a missing explicit operationId is found (openapi-check.ts).
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: (controller, method) => `${controller}.${method}` });
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ProblemDetails: PROBLEM_DETAILS_SCHEMA as never } };
  const facts = routes(app);
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, value] of Object.entries(item)) {
      if (!value || typeof value !== 'object' || !('responses' in value)) continue;
      const op = value as Operation;
      const route = facts.get(`${method} ${path}`);
      if (route?.isPublic) {
        op.security = [];
        op.description = [op.description, 'Public: no credentials needed.'].filter(Boolean).join('\n\n');
      } else if (route?.rules) {
        op.security = [{ bearer: [] }];
        op[ROLES_EXTENSION] = route.rules;
        op.description = [op.description, roleText(route.rules)].filter(Boolean).join('\n\n');
      }
      for (const [status, codes] of Object.entries(errorResponses(op, route, path))) {
        op.responses[status] = { description: codes.join(', '), content: problemContent() };
      }
    }
  }
  return document;
}

/** Where each operation comes from, for messages that say what to fix. */
export function operationSources(app: INestApplication): Map<string, string> {
  return new Map([...routes(app)].map(([key, f]) => [key, `${f.controller}.${f.handler}`]));
}

export function routeRules(app: INestApplication): Map<string, { rules?: AccessRule[]; isPublic: boolean }> {
  return new Map([...routes(app)].map(([key, f]) => [key, { rules: f.rules, isPublic: f.isPublic }]));
}
