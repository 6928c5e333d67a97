import { configureHttpApp, createFastifyAdapter } from '@caravanserai/platform';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';

/**
 * A service's AppModule booted in this process on Fastify, exactly as main.ts configures it
 * (pipes, filters, body limit), for tests that call it with `app.inject`. The settings are put in
 * `process.env` before the module is loaded, because its config is read and checked on load;
 * the caller restores `process.env` afterwards.
 */
export async function startInProcessApp(
  env: Record<string, string>,
  loadAppModule: () => Promise<{ AppModule: unknown }>,
  bodyLimit = 64 * 1024,
): Promise<NestFastifyApplication> {
  Object.assign(process.env, env);
  const { AppModule } = await loadAppModule();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule as never] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(bodyLimit));
  configureHttpApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
