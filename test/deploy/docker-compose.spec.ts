import { KAFKA_SECURITY_SETTINGS } from '@caravanserai/messaging';
import { getMetadataStorage } from 'class-validator';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { AggregatorConfig } from '../../apps/aggregator/src/config/aggregator.config';
import { NodeConfig } from '../../apps/national-node/src/config/node.config';

/** docker-compose.yml against the code it runs: the broker deploy/kafka runs, settings the
 * services read, the keys made by the init service where the services look for them. (No Docker
 * engine in CI: `docker compose config` is not run here; see docs/operations.md.) */
const ROOT = resolve(__dirname, '../..');

interface Service {
  image?: string;
  command?: string[];
  user?: string;
  environment?: Record<string, string | number>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}
// Compose reads YAML 1.2 with merge keys (`<<: *app`).
const compose = load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { schema: CORE_SCHEMA.withTags(mergeTag) }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const nodes = Object.keys(services).filter((n) => n.startsWith('node-'));
const apps = ['aggregator', ...nodes];

/** Every setting a config class declares (class-validator keeps one metadata entry per decorated property). */
const settingsOf = (cls: new () => object): Set<string> =>
  new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(cls, '', true, false)
      .map((m) => m.propertyName),
  );

describe('docker-compose.yml', () => {
  it("runs the Kafka version of deploy/kafka (pom.xml's kafka.version)", () => {
    const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(join(ROOT, 'deploy/kafka/pom.xml'), 'utf8'))?.[1];
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(services.kafka.image).toBe(`apache/kafka:${version}`);
  });

  it('gives each service only settings its config class (or the Kafka client) reads', () => {
    const kafka = new Set<string>(KAFKA_SECURITY_SETTINGS);
    const aggregator = settingsOf(AggregatorConfig);
    const node = settingsOf(NodeConfig);
    expect(aggregator.has('DATABASE_AUTO_MIGRATE') && node.has('NODE_STATE')).toBe(true); // the metadata is there
    expect(nodes).toEqual(['node-af', 'node-ir', 'node-pk', 'node-tr']);
    for (const name of apps) {
      const known = name === 'aggregator' ? aggregator : node;
      const unknown = Object.keys(services[name].environment ?? {}).filter((k) => !known.has(k) && !kafka.has(k));
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
    }
  });

  it('starts every service without rights to create databases, after the init service', () => {
    for (const name of apps) {
      const s = services[name];
      expect({ name, autoMigrate: s.environment?.DATABASE_AUTO_MIGRATE }).toEqual({ name, autoMigrate: 'false' });
      expect(s.depends_on?.init).toEqual({ condition: 'service_completed_successfully' });
      // Each logs in as its own role, never as the owner.
      const url = new URL(String(s.environment?.DATABASE_URL).replace(/\$\{[^}]+\}/g, 'x'));
      expect(decodeURIComponent(url.username)).toBe(url.pathname.slice(1));
    }
    const roles = readFileSync(join(ROOT, 'deploy/compose/postgres-roles.sh'), 'utf8');
    expect(roles).toContain('NOCREATEDB');
    expect(services.postgres.volumes).toContain('./deploy/compose/postgres-roles.sh:/docker-entrypoint-initdb.d/10-roles.sh:ro');
  });

  it('makes the keys inside the containers, and each service mounts only its own, read-only', () => {
    const init = services.init;
    expect(init.command).toEqual(['sh', '/compose/init.sh']);
    expect(existsSync(join(ROOT, 'deploy/compose/init.sh'))).toBe(true);
    const script = readFileSync(join(ROOT, 'deploy/compose/init.sh'), 'utf8');
    for (const step of ['db migrate', 'signing-keys create', 'cell-key create', 'keys create']) expect(script).toContain(`cli ${step}`);
    const volumeOf = (s: Service, target: string) => s.volumes?.find((v) => v.split(':')[1] === target)?.split(':');
    for (const name of apps) {
      const own = name === 'aggregator' ? 'keys-aggregator' : `keys-${name}`;
      expect(services[name].volumes).toEqual([`${own}:/keys:ro`]);
      expect(volumeOf(init, `/keys/${own.replace(/^keys-/, '')}`)?.[0]).toBe(own);
      expect(compose.volumes).toHaveProperty(own);
    }
    const env = (n: string) => services[n].environment ?? {};
    expect(env('aggregator')).toMatchObject({ TRUSTED_NODE_KEYS_FILE: '/keys/trusted-node-keys.json', CELL_KEY_SECRET_FILE: '/keys/cell-key.secret' });
    expect(script).toContain('--trust-file /keys/aggregator/trusted-node-keys.json');
    expect(script).toContain('--out /keys/aggregator/cell-key.secret');
    for (const name of nodes) {
      const s = name.slice('node-'.length);
      expect(env(name)).toMatchObject({ NODE_STATE: s.toUpperCase(), NODE_SIGNING_KEY_FILE: `/keys/${s}-compose.pem`, NODE_SIGNING_KEY_ID: `${s}-compose` });
    }
    expect(script).toContain('--key-id "$s-compose" --out "/keys/node-$s"');
    // The API keys go where no service looks.
    expect(apps.every((n) => !services[n].volumes?.some((v) => v.startsWith('keys-operator')))).toBe(true);
  });
});
