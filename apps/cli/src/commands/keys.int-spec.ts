import { ApiKeyAuthenticator } from '@caravanserai/platform';
import { dropTestDatabase, freshTestDatabase, waitFor } from '@caravanserai/testing';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Pool } from 'pg';

/** `npm run cli -- keys …` as the operator runs it: the built CLI (npm run build first) as a
 * process, on the real PostgreSQL. */
describe('npm run cli -- keys (built CLI, PostgreSQL)', () => {
  const ROOT = resolve(__dirname, '../../../..');
  const databases: string[] = [];
  let url: string;
  let pool: Pool;

  const cli = (args: string[], env: Record<string, string> = {}) => {
    const { DATABASE_URL: _ignored, ...inherited } = process.env;
    const r = spawnSync(process.execPath, [resolve(ROOT, 'dist/apps/cli/src/main.js'), 'keys', ...args], {
      cwd: ROOT,
      env: { ...inherited, NO_COLOR: '1', ...env },
      encoding: 'utf8',
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const keys = async () => (await pool.query('SELECT count(*) AS n FROM api_keys')).rows[0].n as string;

  beforeAll(async () => {
    url = await freshTestDatabase('cli_keys');
    databases.push(url);
    pool = new Pool({ connectionString: url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    for (const db of databases) await dropTestDatabase(db);
  });

  it("creates a key in a database the service never used (running the service's migrations), prints it once, stores only a hash", async () => {
    const res = cli(['create', '--service', 'node', '--database-url', url, '--principal', 'state:KZ', '--role', 'ingest', '--label', 'KZ border system']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^cvs_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n$/);
    const key = res.stdout.trim();
    const keyId = key.split('_')[1];
    expect(res.stderr).toContain(`key ${keyId} for state:KZ (role ingest), expires -; shown once`);
    expect(res.stderr).not.toContain(key);
    // The node's own schema is there, as if it had started.
    expect((await pool.query(`SELECT to_regclass('events') AS t`)).rows[0].t).toBe('events');
    const dump = JSON.stringify((await pool.query('SELECT * FROM api_keys')).rows);
    expect(dump).not.toContain(key.slice(21));
    // The key works with the services' own check.
    expect(await new ApiKeyAuthenticator(pool).authenticate(`Bearer ${key}`)).toEqual({ id: 'state:KZ', role: 'ingest' });
  });

  it('takes DATABASE_URL when --database-url is not given, lists keys without secrets, revokes for good', async () => {
    const created = cli(['create', '--service', 'node', '--principal', 'admin', '--role', 'admin'], { DATABASE_URL: url });
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    const keyId = key.split('_')[1];
    const auth = new ApiKeyAuthenticator(pool);
    expect(await auth.authenticate(`Bearer ${key}`)).toEqual({ id: 'admin', role: 'admin' });

    const listed = cli(['list', '--service', 'node', '--database-url', url]);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toBe('key_id\tprincipal\trole\tstatus\tcreated_at\texpires_at\trevoked_at\tlabel');
    expect(lines.find((l) => l.startsWith(keyId))).toMatch(new RegExp(`^${keyId}\tadmin\tadmin\tactive\t`));
    expect(lines.some((l) => /\tstate:KZ\tingest\tactive\t.*\tKZ border system$/.test(l))).toBe(true);
    expect(listed.stdout).not.toContain(key.slice(21));

    const revoked = cli(['revoke', '--service', 'node', '--database-url', url, '--id', keyId]);
    expect(revoked).toMatchObject({ code: 0, stdout: `key ${keyId} revoked; refused from the next request on\n` });
    // The same authenticator (which had the key's check cached) refuses it now.
    expect(await auth.authenticate(`Bearer ${key}`)).toBeNull();
    expect(cli(['list', '--service', 'node', '--database-url', url]).stdout).toMatch(new RegExp(`${keyId}\tadmin\tadmin\trevoked\t`));
    expect(cli(['revoke', '--service', 'node', '--database-url', url, '--id', keyId])).toMatchObject({ code: 0, stdout: `key ${keyId} was already revoked\n` });
    expect(cli(['revoke', '--service', 'node', '--database-url', url, '--id', '0000000000000000'])).toMatchObject({
      code: 1,
      stderr: 'no key 0000000000000000 in this database\n',
    });
  });

  it('makes keys that expire', async () => {
    const aggregatorDb = await freshTestDatabase('cli_keys_agg');
    databases.push(aggregatorDb);
    const created = cli([
      'create',
      '--service',
      'aggregator',
      '--database-url',
      aggregatorDb,
      '--principal',
      'org:UNHCR',
      '--role',
      'reader',
      '--expires-in',
      '2s',
    ]);
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    const aggregatorPool = new Pool({ connectionString: aggregatorDb, max: 1 });
    try {
      const auth = new ApiKeyAuthenticator(aggregatorPool);
      expect(await auth.authenticate(`Bearer ${key}`)).toEqual({ id: 'org:UNHCR', role: 'reader' });
      await waitFor(async () => (await auth.authenticate(`Bearer ${key}`)) === null, { timeoutMs: 10_000, what: 'the key to expire' });
    } finally {
      await aggregatorPool.end();
    }
    expect(cli(['list', '--service', 'aggregator', '--database-url', aggregatorDb]).stdout).toMatch(/\torg:UNHCR\treader\texpired\t/);
  });

  it.each([
    [['create', '--service', 'node', '--principal', 'secretariat', '--role', 'ingest'], 'keys: the ingest role belongs to state:XX'],
    [['create', '--service', 'node', '--principal', 'state:KZ', '--role', 'reader'], 'keys: role on a node must be one of ingest, admin (got "reader")'],
    [['create', '--service', 'aggregator', '--principal', 'org:a b', '--role', 'reader'], 'keys: the reader role belongs to secretariat, state:XX or org:NAME'],
    [
      ['create', '--service', 'node', '--principal', 'state:KZ', '--role', 'ingest', '--expires-in', '90 days'],
      'keys: --expires-in must be a number and a unit',
    ],
    [['create', '--service', 'registry', '--principal', 'admin', '--role', 'admin'], 'keys: --service must be one of node, aggregator (got "registry")'],
    [['create', '--principal', 'admin', '--role', 'admin'], 'keys: say which service the database belongs to: --service node|aggregator'],
    [['create', '--service', 'node', '--role', 'admin'], 'keys: --principal and --role are required'],
    [['create', '--service', 'node', '--principal', 'admin', '--role', 'admin', '--colour', 'red'], 'keys: unknown argument "--colour"'],
    [['revoke', '--service', 'node'], 'keys: --id KEYID is required'],
    [['rotate'], 'keys: keys needs an action: create, list, revoke'],
  ])('refuses %j with exit code 2 and one line, writing nothing', async (args, message) => {
    const before = await keys();
    const res = cli(args, { DATABASE_URL: url });
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr.startsWith(message)).toBe(true);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(await keys()).toBe(before);
  });

  it('needs to know which database', () => {
    const res = cli(['list', '--service', 'node']);
    expect(res).toMatchObject({ code: 2, stderr: 'keys: say which database holds the keys: --database-url URL or DATABASE_URL\n' });
  });
});
