import 'reflect-metadata';
import { kafkaSecurityFromEnv } from '@caravanserai/messaging';
import { createHttpApp, listen, StructuredLogger, validateEnvironment } from '@caravanserai/platform';
import { AGGREGATOR_CONFIG, AggregatorConfig } from './config/aggregator.config';
import { serveConsole } from './console/serve-console';
import { assertAggregatorSchema } from './infrastructure/database';
import { AGGREGATOR_API } from './openapi';

async function bootstrap() {
  // Loaded here so that a configuration error (raised while the module loads) is reported below.
  const { AppModule } = await import('./app.module');
  // The HTTP settings are needed before the app (and its config provider) exists.
  const settings = validateEnvironment(AggregatorConfig)(process.env);
  // Checked again inside the app; here first, so that a half-made Kafka setting or a schema behind
  // stops the process with the one line below instead of Nest's stack trace.
  kafkaSecurityFromEnv();
  if (!settings.DATABASE_AUTO_MIGRATE) await assertAggregatorSchema(settings.DATABASE_URL);
  const app = await createHttpApp(AppModule, {
    ...AGGREGATOR_API,
    bodyLimit: settings.BODY_LIMIT_BYTES,
    rateLimit: { max: settings.RATE_LIMIT_MAX, windowMs: settings.RATE_LIMIT_WINDOW_MS },
  });
  const config = app.get<AggregatorConfig>(AGGREGATOR_CONFIG);
  await serveConsole(app);
  await listen(app, config.PORT, config.HOST, 'aggregator');
}

bootstrap().catch((e) => {
  new StructuredLogger().fatal(`aggregator failed to start: ${e instanceof Error ? e.message : String(e)}`, 'main');
  process.exit(1);
});
