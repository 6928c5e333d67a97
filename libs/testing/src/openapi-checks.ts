import { missingInOpenApi, serialiseOpenApi } from '@caravanserai/platform';
import type { OpenAPIObject } from '@nestjs/swagger';
import { compileErrors, validate } from '@readme/openapi-parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');

/**
 * A service's committed OpenAPI document against its code, as docs/asyncapi.yaml is tested: the
 * file is what the code generates now (a new endpoint or a changed DTO fails until
 * `npm run openapi` is run and the result committed), it validates as OpenAPI 3 (the OpenAPI
 * schema and the specification's own rules, by @readme/openapi-parser), and every operation has
 * what a client generator needs.
 */
export function describeOpenApiDocument(name: string, file: string, generate: () => Promise<{ document: OpenAPIObject; sources: Map<string, string> }>): void {
  describe(`${file} (${name})`, () => {
    let generated: { document: OpenAPIObject; sources: Map<string, string> };
    beforeAll(async () => {
      generated = await generate();
    }, 60_000);

    it('is what the code generates now (else: npm run openapi, and commit the file)', () => {
      const committed = readFileSync(join(ROOT, file), 'utf8');
      expect(committed).toBe(serialiseOpenApi(generated.document));
    });

    it('validates as OpenAPI 3', async () => {
      const result = await validate(JSON.parse(serialiseOpenApi(generated.document)));
      expect(result.valid ? 'valid' : compileErrors(result)).toBe('valid');
      expect(generated.document.openapi).toMatch(/^3\./);
    });

    it('gives every operation an operationId, a response schema, its error responses and its access', () => {
      expect(missingInOpenApi(generated.document, generated.sources)).toEqual([]);
      expect(Object.keys(generated.document.paths).length).toBeGreaterThan(3);
    });
  });
}
