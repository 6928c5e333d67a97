import 'reflect-metadata';
import { OpenApiInfo, previewOpenApi, writeOpenApi } from '@caravanserai/platform';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NODE_API: OpenApiInfo = {
  title: 'Caravanserai national node',
  description: 'Receives movement records from the national migration service, anonymises them, stores and publishes events.',
};

/** Where `npm run openapi` writes the document (from the repository root) and the tests read it. */
export const NODE_OPENAPI_FILE = 'docs/openapi/node.json';

/**
 * The node's document from its modules' metadata: no database, no broker. The settings only have
 * to pass validation, so a node without them is given a state and a throwaway signing key that
 * nothing uses (no provider is instantiated in preview mode); the document depends on neither.
 */
export async function nodeOpenApi() {
  if (!process.env.NODE_SIGNING_KEY_FILE) {
    const file = join(mkdtempSync(join(tmpdir(), 'caravanserai-openapi-')), 'signing.pem');
    writeFileSync(file, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    Object.assign(process.env, { NODE_SIGNING_KEY_FILE: file, NODE_SIGNING_KEY_ID: 'openapi' });
  }
  process.env.NODE_STATE ??= 'IR';
  process.env.NODE_SIGNING_KEY_ID ??= 'openapi';
  const { AppModule } = await import('./app.module');
  return previewOpenApi(AppModule, NODE_API);
}

if (require.main === module) {
  nodeOpenApi()
    .then(({ document }) => writeOpenApi(join(process.cwd(), NODE_OPENAPI_FILE), document))
    .catch((e) => {
      console.error(`openapi: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    });
}
