import { PROBLEM_CONTENT_TYPE } from '../problems/problem';

/** The one error body of every operation (RFC 9457 and the members the services add). */
export const PROBLEM_DETAILS_SCHEMA = {
  type: 'object',
  description:
    'An RFC 9457 problem. `type` is urn:caravanserai:problem:<code>; `title` and `detail` follow Accept-Language (en, ru); ' +
    '`message` repeats `detail`; an error may add members of its own (e.g. REFERRAL.ILLEGAL_TRANSITION: referralStatus, allowedCommands).',
  required: ['type', 'title', 'status', 'detail', 'code', 'message'],
  properties: {
    type: { type: 'string', format: 'uri', example: 'urn:caravanserai:problem:VALIDATION.FAILED' },
    title: { type: 'string', example: 'Validation failed' },
    status: { type: 'integer', minimum: 400, maximum: 599, example: 422 },
    detail: { type: 'string' },
    instance: {
      type: 'string',
      format: 'uri',
      description: 'urn:caravanserai:request:<requestId>',
      example: 'urn:caravanserai:request:0b6f2a0e-5c1e-4d7e-9a57-3f1f8f0d2b11',
    },
    code: { type: 'string', description: 'Stable error code (docs/openapi/README.md lists them)', example: 'VALIDATION.FAILED' },
    message: { type: 'string', description: 'The same text as detail' },
    errors: {
      type: 'array',
      description: 'Every field problem, by record index (in a batch) and field path',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { index: { type: 'integer', minimum: 0 }, field: { type: 'string' }, message: { type: 'string' } },
      },
    },
    requestId: { type: 'string', description: 'As in the x-request-id header and the service log' },
  },
} as const;

export const problemContent = () => ({ [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDetails' } } });
