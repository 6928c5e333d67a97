import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- OpenAPI documents and answers, walked member by member
type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const pointer = (parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Answers of a running service against its committed OpenAPI document: each answer's status must
 * be documented for its operation, and its body must validate (ajv) against the schema of that
 * status and content type. Records which operations were seen answering with success and with an
 * error, so that a test can require both of every operation.
 */
export class OpenApiResponses {
  private readonly doc: Json;
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly seen = new Map<string, Set<'success' | 'error'>>();
  readonly failures: string[] = [];

  constructor(file: string) {
    this.doc = JSON.parse(readFileSync(join(__dirname, '../../..', file), 'utf8'));
    addFormats(this.ajv);
    // The document as one schema resource, so that `#/components/...` references resolve in it.
    this.ajv.addKeyword({ keyword: 'components' });
    this.ajv.addKeyword({ keyword: 'paths' });
    this.ajv.addSchema({ $id: 'openapi', components: this.doc.components, paths: this.doc.paths });
  }

  /** Every operation, as `METHOD /path/template`. */
  operations(): string[] {
    return Object.entries(this.doc.paths as Json).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`));
  }

  private operationOf(method: string, url: string): string | null {
    const path = url.split('?')[0];
    for (const op of this.operations()) {
      const [m, template] = op.split(' ');
      const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      if (m === method.toUpperCase() && re.test(path)) return op;
    }
    return null;
  }

  /** Checks one answer; returns the parsed body (JSON) or text. */
  check(method: string, url: string, status: number, contentType: string | undefined, text: string): unknown {
    const op = this.operationOf(method, url);
    const where = `${method.toUpperCase()} ${url} → ${status}`;
    if (!op) {
      this.failures.push(`${where}: no operation of the document matches`);
      return text;
    }
    const [m, template] = op.split(' ');
    const responses = this.doc.paths[template][m.toLowerCase()].responses as Json;
    if (!responses[String(status)]) {
      this.failures.push(`${where}: status ${status} is not documented for ${op} (documented: ${Object.keys(responses).join(', ')})`);
      return text;
    }
    const type = (contentType ?? '').split(';')[0].trim();
    if (status === 204 && !type && text === '' && !responses['204'].content) {
      // No content, as documented.
      this.seen.set(op, (this.seen.get(op) ?? new Set()).add('success'));
      return text;
    }
    const media = responses[String(status)].content?.[type];
    if (!media?.schema) {
      this.failures.push(
        `${where}: content type ${type || '(none)'} is not documented for ${status} (documented: ${Object.keys(responses[String(status)].content ?? {}).join(', ')})`,
      );
      return text;
    }
    const body = type.endsWith('json') ? JSON.parse(text) : text;
    const ref = `openapi#/${pointer(['paths', template, m.toLowerCase(), 'responses', String(status), 'content', type, 'schema'])}`;
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, validate);
    }
    if (!validate(body)) this.failures.push(`${where}: the body does not match the documented schema: ${this.ajv.errorsText(validate.errors)}`);
    const kinds = this.seen.get(op) ?? new Set();
    kinds.add(status < 400 ? 'success' : 'error');
    this.seen.set(op, kinds);
    return body;
  }

  /** Operations not yet seen answering with a success and with an error; `noError` lists those
   * whose only errors need a dependency down (liveness and readiness: 503 with their own body),
   * `noSuccess` those whose success cannot be read whole here (an event stream that never ends). */
  uncovered(noError: string[] = [], noSuccess: string[] = []): string[] {
    return this.operations().flatMap((op) =>
      (['success', 'error'] as const)
        .filter((k) => !this.seen.get(op)?.has(k) && !(k === 'error' && noError.includes(op)) && !(k === 'success' && noSuccess.includes(op)))
        .map((k) => `${op}: no ${k} answer checked; add a call to this test`),
    );
  }
}
