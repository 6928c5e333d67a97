import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Scripts, styles, data and images from this origin only: the console has no inline script or
 * style, and fetches no tiles or fonts from elsewhere. */
export const CONSOLE_CSP = "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** apps/aggregator/console, found by walking up from this file (src/ or dist/), as the migrations are. */
export function locateConsole(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'apps', 'aggregator', 'console');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`the console (apps/aggregator/console) was not found above ${__dirname}`);
  }
}

/**
 * The web console at /console/ (docs/console.md): static files that need no credential; every
 * data call the page makes goes to the /v1 API with the signed-in principal. ECharts is served
 * from the npm package, not from a CDN.
 */
export async function serveConsole(app: NestFastifyApplication): Promise<void> {
  // @fastify/static 10 hands the Fastify reply to setHeaders.
  const setHeaders = (reply: { header(name: string, value: string): unknown }) => {
    reply.header('content-security-policy', CONSOLE_CSP);
    reply.header('x-content-type-options', 'nosniff');
  };
  await app.register(fastifyStatic as never, { root: locateConsole(), prefix: '/console/', setHeaders, index: ['index.html'] });
  await app.register(fastifyStatic as never, {
    root: join(dirname(require.resolve('echarts/package.json')), 'dist'),
    prefix: '/console/vendor/echarts/',
    decorateReply: false,
    allowedPath: (path: string) => path === '/echarts.min.js',
    setHeaders,
  });
  app
    .getHttpAdapter()
    .getInstance()
    .get('/console', (_req, reply) => reply.redirect('/console/', 301));
}
