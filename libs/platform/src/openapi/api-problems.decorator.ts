import { SetMetadata } from '@nestjs/common';

export const API_PROBLEMS = 'caravanserai:api-problems';

/** Error statuses an operation gives beyond those every operation of its kind gives (see
 * openapi-document.ts), each with the codes it answers them with. */
export type ProblemsByStatus = Partial<Record<400 | 403 | 404 | 409 | 422 | 503, string[]>>;

/** Declares an operation's own error answers, for the OpenAPI document: `@ApiProblems({ 404: ['AGREEMENT.NOT_FOUND'] })`. */
export const ApiProblems = (problems: ProblemsByStatus) => SetMetadata(API_PROBLEMS, problems);
