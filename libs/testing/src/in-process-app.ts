import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TestingModuleBuilder } from '@nestjs/testing';
import { Pool } from 'pg';
import { dropTestDatabase, freshTestDatabase, uniqueSuffix } from './environment';

export interface InProcessApp {
  app: NestFastifyApplication;
  /** The app's own (fresh) database. */
  url: string;
  /** A small pool on it for the test's own reads and writes. */
  pool: Pool;
  /** The topic prefix no other test uses, `test-<name>-<suffix>.` (and the consumer group without the dot). */
  prefix: string;
  /** With `listen`: the address it listens on (127.0.0.1, a free port). */
  base: string;
  /** Closes the app and the pool, restores the environment and drops the database. */
  close(): Promise<void>;
}

export interface InProcessOptions {
  /** Settings on top of the app's own (set before the module is loaded: its configuration reads the environment). */
  env?: Record<string, string>;
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  poolSize?: number;
  /** The request body limit (default 64 KiB). */
  bodyLimit?: number;
  /** Listen on a port for real HTTP requests (default: requests go through `app.inject`). */
  listen?: boolean;
}

/**
 * A whole app (its AppModule, loaded by `loadModule` once the environment is set) in this
 * process for integration specs, on a fresh database of its own and a topic prefix no other test
 * uses; `appEnv` gives the app's own settings for the database, the prefix and the suffix. Each
 * app wraps it once (apps/<app>/src/testing/in-process-*.ts). Nest is loaded here only when an
 * app starts, so that specs that import only the rest of libs/testing do not load it.
 */
export async function startInProcessApp(
  name: string,
  loadModule: () => Promise<unknown>,
  appEnv: (ctx: { url: string; prefix: string; group: string }) => Record<string, string>,
  options: InProcessOptions = {},
): Promise<InProcessApp> {
  const saved = { ...process.env };
  const url = await freshTestDatabase(name);
  const group = `test-${name}-${uniqueSuffix()}`;
  const prefix = `${group}.`;
  try {
    Object.assign(process.env, appEnv({ url, prefix, group }), options.env);
    const [{ Test }, { configureHttpApp, createFastifyAdapter }] = await Promise.all([import('@nestjs/testing'), import('@caravanserai/platform')]);
    const builder = Test.createTestingModule({ imports: [(await loadModule()) as never] });
    const moduleRef = await (options.override ? options.override(builder) : builder).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(options.bodyLimit ?? 64 * 1024));
    configureHttpApp(app);
    let base = '';
    if (options.listen) {
      await app.listen(0, '127.0.0.1');
      base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    } else {
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
    }
    const pool = new Pool({ connectionString: url, max: options.poolSize ?? 2 });
    return {
      app,
      url,
      pool,
      prefix,
      base,
      async close() {
        await app.close();
        await pool.end();
        process.env = saved;
        await dropTestDatabase(url);
      },
    };
  } catch (e) {
    process.env = saved;
    await dropTestDatabase(url).catch(() => undefined);
    throw e;
  }
}
