import { databaseName, resolveDatabaseUrl } from './connection';

describe('resolveDatabaseUrl', () => {
  it('prefers DATABASE_URL, then the PG* variables, then postgres@127.0.0.1:5432 and the service database', () => {
    expect(resolveDatabaseUrl({ DATABASE_URL: 'postgres://u@db:6432/x' }, 'node')).toBe('postgres://u@db:6432/x');
    expect(resolveDatabaseUrl({}, 'caravanserai_node')).toBe('postgres://postgres@127.0.0.1:5432/caravanserai_node');
    expect(resolveDatabaseUrl({ PGHOST: 'db.example', PGPORT: '6432', PGUSER: 'svc', PGPASSWORD: 's3cret', PGDATABASE: 'other' }, 'node')).toBe(
      'postgres://svc:s3cret@db.example:6432/other',
    );
  });

  it('takes a PGHOST that starts with a slash as a Unix-socket directory, as libpq does', () => {
    const url = resolveDatabaseUrl({ PGHOST: '/var/run/postgresql' }, 'caravanserai_aggregator');
    expect(url).toBe('postgres://postgres@localhost:5432/caravanserai_aggregator?host=%2Fvar%2Frun%2Fpostgresql');
    expect(databaseName(url)).toBe('caravanserai_aggregator');
  });
});
