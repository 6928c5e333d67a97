import 'reflect-metadata';
import { createHttpApp, listen } from '@caravanserai/platform';
import { AGGREGATOR_CONFIG, AggregatorConfig } from './config/aggregator.config';
import { serveConsole } from './console/serve-console';

async function bootstrap() {
  // Loaded here so that a configuration error (raised while the module loads) is reported below.
  const { AppModule } = await import('./app.module');
  const app = await createHttpApp(AppModule, {
    title: 'Caravanserai regional aggregator',
    description: 'Regional projections of movements, served to the secretariat, the states and integrators.',
    bodyLimit: Number(process.env.BODY_LIMIT_BYTES ?? 1024 * 1024),
  });
  const config = app.get<AggregatorConfig>(AGGREGATOR_CONFIG);
  await serveConsole(app);
  await listen(app, config.PORT, config.HOST, 'aggregator');
}

bootstrap().catch((e) => {
  console.error(`aggregator failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
