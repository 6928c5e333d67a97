import { migrationNames, locateMigrations } from '@caravanserai/database';
import { dropTestDatabase, RestrictedRole, TEST_PG_BASE, uniqueSuffix } from '@caravanserai/testing';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from 'pg';

/** `npm run migrate -- --service …` (= `npm run cli -- db migrate …`) and `db check`, as the
 * operator runs them: the built CLI (npm run build first) as a process, on the real PostgreSQL. */
describe('npm run migrate / cli db (built CLI, PostgreSQL)', () => {
  const ROOT = resolve(__dirname, '../../../..');
  const url = `${TEST_PG_BASE}/test_cli_db_${uniqueSuffix()}`;
  let role: RestrictedRole;
  const cli = (...args: string[]) => {
    const { DATABASE_URL: _ignored, ...inherited } = process.env;
    const r = spawnSync(process.execPath, [resolve(ROOT, 'dist/apps/cli/src/main.js'), 'db', ...args], {
      cwd: ROOT,
      env: { ...inherited, NO_COLOR: '1' },
      encoding: 'utf8',
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  beforeAll(async () => {
    role = await RestrictedRole.create('cli_db');
  });
  afterAll(async () => {
    await dropTestDatabase(url);
    await role.drop();
  });

  it('creates and migrates the database, grants the role, and says when the schema is behind', async () => {
    const names = migrationNames(locateMigrations('national-node'));
    const migrate = cli('migrate', '--service', 'node', '--database-url', url, '--grant-to', role.name);
    expect(migrate).toMatchObject({
      code: 0,
      stdout: `applied ${names.length} migrations: ${names.join(', ')}\ngranted ${role.name} the rights to run the node (no DDL)\n`,
    });
    expect(cli('migrate', '--service', 'node', '--database-url', url).stdout).toBe('already at the latest migration\n');
    expect(cli('check', '--service', 'node', '--database-url', role.urlOf(url))).toMatchObject({ code: 0, stdout: 'at the latest migration\n' });

    const owner = new Client({ connectionString: url });
    await owner.connect();
    await owner.query('DELETE FROM pgmigrations WHERE name = $1', [names.at(-1)]);
    await owner.end();
    const check = cli('check', '--service', 'node', '--database-url', role.urlOf(url));
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(
      new RegExp(`^db: database test_cli_db_\\w+ is not at the latest migration: ${names.at(-1)} not applied; run npm run migrate -- --service node\\n$`),
    );
  });

  it('refuses an unknown service, a node without a database, and a role name that is not plain', () => {
    expect(cli('migrate', '--service', 'nodes')).toMatchObject({ code: 2, stderr: 'db: say which service: --service node|aggregator (got "nodes")\n' });
    expect(cli('migrate', '--service', 'node')).toMatchObject({
      code: 2,
      stderr: "db: a node's database: --database-url URL, or --state XX (or NODE_STATE) for caravanserai_node_xx\n",
    });
    expect(cli('migrate', '--service', 'node', '--database-url', url, '--grant-to', 'x; DROP TABLE events')).toMatchObject({
      code: 2,
      stderr: 'db: --grant-to: "x; DROP TABLE events" is not a plain role name (a-z 0-9 _)\n',
    });
  });
});
