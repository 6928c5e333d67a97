import { assertMigrated, locateMigrations, migrateServiceDatabase, resolveDatabaseUrl, SchemaNotReadyError } from '@caravanserai/database';
import { PROVIDER_STATES } from '@caravanserai/contracts';
import { parseArgs } from 'node:util';
import type { CliCommand } from './command';

const APP_OF = { node: 'national-node', aggregator: 'aggregator' } as const;
type Service = keyof typeof APP_OF;

/** The service's database: --database-url, else DATABASE_URL, else the PG* variables and the
 * service's default name (caravanserai_aggregator, caravanserai_node_<state>), as the service does. */
function target(values: { service?: string; 'database-url'?: string; state?: string }): { url: string; service: Service } {
  const service = values.service;
  if (service !== 'node' && service !== 'aggregator')
    throw new SchemaNotReadyError(`say which service: --service node|aggregator${service ? ` (got "${service}")` : ''}`);
  const explicit = values['database-url'] ?? process.env.DATABASE_URL;
  if (explicit) {
    if (!/^postgres(ql)?:\/\//.test(explicit)) throw new SchemaNotReadyError('--database-url must start with postgres:// or postgresql://');
    return { url: explicit, service };
  }
  let name = 'caravanserai_aggregator';
  if (service === 'node') {
    const state = (values.state ?? process.env.NODE_STATE ?? '').toUpperCase();
    if (!(PROVIDER_STATES as readonly string[]).includes(state))
      throw new SchemaNotReadyError("a node's database: --database-url URL, or --state XX (or NODE_STATE) for caravanserai_node_xx");
    name = `caravanserai_node_${state.toLowerCase()}`;
  }
  return { url: resolveDatabaseUrl({ ...process.env, DATABASE_URL: undefined }, name), service };
}

/**
 * `npm run migrate -- --service node|aggregator` (= `npm run cli -- db migrate …`): creates the
 * service's database if missing and applies its migrations, as the service does at boot unless
 * DATABASE_AUTO_MIGRATE=false; run it as the database's owner, before the services.
 * `--grant-to ROLE[,ROLE]` then lets those roles run the service and nothing more (no DDL).
 * `db check` says whether the schema is at the latest migration (exit 0) or what is missing (1).
 */
export const dbCommand: CliCommand = {
  name: 'db',
  usage: [
    'db migrate --service node|aggregator [--database-url URL | --state AF] [--grant-to ROLE[,ROLE]]   (npm run migrate -- …)',
    'db check   --service node|aggregator [--database-url URL | --state AF]',
  ],
  async run(action, args) {
    try {
      const { values } = parseArgs({
        args,
        options: { service: { type: 'string' }, 'database-url': { type: 'string' }, state: { type: 'string' }, 'grant-to': { type: 'string' } },
      });
      const { url, service } = target(values);
      const dir = locateMigrations(APP_OF[service], process.env.MIGRATIONS_DIR);
      const how = `npm run migrate -- --service ${service}`;
      switch (action) {
        case 'migrate': {
          const roles = (values['grant-to'] ?? '')
            .split(',')
            .map((r) => r.trim())
            .filter(Boolean);
          const applied = await migrateServiceDatabase(url, dir, roles);
          console.log(applied.length > 0 ? `applied ${applied.length} migrations: ${applied.join(', ')}` : 'already at the latest migration');
          if (roles.length > 0) console.log(`granted ${roles.join(', ')} the rights to run the ${service} (no DDL)`);
          return 0;
        }
        case 'check':
          await assertMigrated(url, dir, how);
          console.log('at the latest migration');
          return 0;
        default:
          throw new SchemaNotReadyError(`db needs an action: migrate, check (got "${action ?? ''}")`);
      }
    } catch (e) {
      if (e instanceof SchemaNotReadyError || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
        console.error(`db: ${(e as Error).message}`);
        return action === 'check' && e instanceof SchemaNotReadyError ? 1 : 2;
      }
      throw e;
    }
  },
};
