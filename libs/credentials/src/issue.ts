import { autoMigrateFromEnv, locateMigrations, prepareDatabase } from '@caravanserai/database';
import { Client } from 'pg';
import { generateKey, hashSecret } from './api-key';
import { insertKey, KeyInfo, Queryable } from './key-store';
import { grantProblem, Service } from './roles';

const APP_OF: Record<Service, string> = { node: 'national-node', aggregator: 'aggregator' };

/** A bad principal/role/expiry: the CLI prints the message on one line and exits with 2. */
export class KeyRequestError extends Error {}

/**
 * Connects to a service's database, creating and migrating it first if the service never ran
 * (the same migrations the service applies at start, so the key table is always the service's own);
 * with DATABASE_AUTO_MIGRATE=false, as the service does, it only checks the schema is up to date.
 */
export async function openKeyDatabase(databaseUrl: string, service: Service): Promise<Client> {
  await prepareDatabase(databaseUrl, locateMigrations(APP_OF[service], process.env.MIGRATIONS_DIR), {
    autoMigrate: autoMigrateFromEnv(),
    howToMigrate: `npm run migrate -- --service ${service}`,
  });
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  return client;
}

export interface NewKey {
  principal: string;
  role: string;
  expiresAt?: Date | null;
  label?: string | null;
}

/** Makes a key and stores only its hash; the returned `key` is the one and only copy. */
export async function createKey(db: Queryable, service: Service, request: NewKey): Promise<KeyInfo & { key: string }> {
  const problem = grantProblem(service, request.principal, request.role);
  if (problem) throw new KeyRequestError(problem);
  if (request.expiresAt && request.expiresAt.getTime() <= Date.now()) throw new KeyRequestError('the expiry must be in the future');
  const { keyId, key, secret } = generateKey();
  const info = await insertKey(db, keyId, request.principal, request.role, await hashSecret(secret), request.expiresAt ?? null, request.label ?? null);
  return { ...info, key };
}

/** Issues one key in a service's database (creating the database if needed): for tests and scripts. */
export async function issueKey(databaseUrl: string, service: Service, request: NewKey): Promise<KeyInfo & { key: string }> {
  const client = await openKeyDatabase(databaseUrl, service);
  try {
    return await createKey(client, service, request);
  } finally {
    await client.end();
  }
}
