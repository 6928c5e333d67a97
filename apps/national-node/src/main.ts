import 'reflect-metadata';
import { createHttpApp, listen, StructuredLogger, validateEnvironment } from '@caravanserai/platform';
import { NODE_CONFIG, NodeConfig } from './config/node.config';

async function bootstrap() {
  // Loaded here so that a configuration error (raised while the module loads) is reported below.
  const { AppModule } = await import('./app.module');
  // The HTTP settings are needed before the app (and its config provider) exists.
  const settings = validateEnvironment(NodeConfig)(process.env);
  const app = await createHttpApp(AppModule, {
    title: 'Caravanserai national node',
    description: 'Receives movement records from the national migration service, anonymises them, stores and publishes events.',
    bodyLimit: settings.BODY_LIMIT_BYTES,
    rateLimit: { max: settings.RATE_LIMIT_MAX, windowMs: settings.RATE_LIMIT_WINDOW_MS },
  });
  const config = app.get<NodeConfig>(NODE_CONFIG);
  await listen(app, config.PORT, config.HOST, `national-node ${config.NODE_STATE}`);
}

bootstrap().catch((e) => {
  new StructuredLogger().fatal(`national node failed to start: ${e instanceof Error ? e.message : String(e)}`, 'main');
  process.exit(1);
});
