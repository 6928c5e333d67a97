import { configureHttpApp, createFastifyAdapter } from '@caravanserai/platform';
import { dropTestDatabase, freshTestDatabase, testSigningKeys, uniqueSuffix } from '@caravanserai/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import { Pool } from 'pg';

export interface InProcessAggregator {
  app: NestFastifyApplication;
  /** The aggregator's own (fresh) database. */
  url: string;
  /** A small pool on it for the test's own reads and writes. */
  pool: Pool;
  /** Closes the app and the pool, restores the environment and drops the database. */
  close(): Promise<void>;
}

/**
 * The whole aggregator (AppModule) in this process for integration specs, on a fresh database of
 * its own, with the test signing keys, a consumer group and topic prefix no other test uses, and
 * `env` on top (set before the module is loaded: its configuration reads the environment).
 * Requests go through `app.inject`.
 */
export async function startInProcessAggregator(
  name: string,
  options: { env?: Record<string, string>; override?: (builder: TestingModuleBuilder) => TestingModuleBuilder; poolSize?: number } = {},
): Promise<InProcessAggregator> {
  const saved = { ...process.env };
  const url = await freshTestDatabase(name);
  const suffix = uniqueSuffix();
  Object.assign(process.env, { DATABASE_URL: url, CONSUMER_GROUP: `test-${name}-${suffix}`, TOPIC_PREFIX: `test-${name}-${suffix}.`, ...testSigningKeys().aggregatorEnv(), ...options.env });
  const { AppModule } = await import('../app.module');
  const builder = Test.createTestingModule({ imports: [AppModule] });
  const moduleRef = await (options.override ? options.override(builder) : builder).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(64 * 1024));
  configureHttpApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const pool = new Pool({ connectionString: url, max: options.poolSize ?? 2 });
  return {
    app,
    url,
    pool,
    async close() {
      await app.close();
      await pool.end();
      process.env = saved;
      await dropTestDatabase(url);
    },
  };
}
