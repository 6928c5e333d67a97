import 'reflect-metadata';
import { OpenApiInfo, previewOpenApi, writeOpenApi } from '@caravanserai/platform';
import { join } from 'node:path';

export const AGGREGATOR_API: OpenApiInfo = {
  title: 'Caravanserai regional aggregator',
  description: 'Regional projections of movements, served to the secretariat, the states and integrators.',
};

/** Where `npm run openapi` writes the document (from the repository root) and the tests read it. */
export const AGGREGATOR_OPENAPI_FILE = 'docs/openapi/aggregator.json';

/** The aggregator's document from its modules' metadata: no database, no broker. The settings
 * only have to pass validation (CONSUME off: no trust file needed); nothing connects. */
export async function aggregatorOpenApi() {
  process.env.CONSUME = 'false';
  const { AppModule } = await import('./app.module');
  return previewOpenApi(AppModule, AGGREGATOR_API);
}

if (require.main === module) {
  aggregatorOpenApi()
    .then(({ document }) => writeOpenApi(join(process.cwd(), AGGREGATOR_OPENAPI_FILE), document))
    .catch((e) => {
      console.error(`openapi: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    });
}
