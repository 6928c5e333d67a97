import { ApiResponse } from '@nestjs/swagger';

/** Small builders for the response schemas of the OpenAPI documents (OpenAPI 3.0 schema objects). */
export type Schema = Record<string, unknown>;

export const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
export const int = (extra: Schema = {}): Schema => ({ type: 'integer', ...extra });
export const num = (extra: Schema = {}): Schema => ({ type: 'number', ...extra });
export const bool = (): Schema => ({ type: 'boolean' });
export const date = (): Schema => str({ format: 'date' });
export const instant = (): Schema => str({ format: 'date-time' });
export const uuid = (): Schema => str({ format: 'uuid' });
export const nullable = (schema: Schema): Schema => ({ ...schema, nullable: true });
export const arr = (items: Schema): Schema => ({ type: 'array', items });
export const oneOfEnum = (values: readonly string[]): Schema => str({ enum: [...values] });
/** An object whose listed members are all present; more members may come (an answer can grow). */
export const obj = (properties: Record<string, Schema>, optional: string[] = []): Schema => ({
  type: 'object',
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  properties,
});
/** An object of any members (terms, details kept as given). */
export const anyObject = (description?: string): Schema => ({ type: 'object', ...(description ? { description } : {}) });

/** The success answer of an operation: JSON by default, other media types as given. */
export function ApiResult(status: number, description: string, json: Schema | null, others: Record<string, Schema> = {}) {
  return ApiResponse({
    status,
    description,
    content: {
      ...(json ? { 'application/json': { schema: json } } : {}),
      ...Object.fromEntries(Object.entries(others).map(([type, schema]) => [type, { schema }])),
    },
  });
}
