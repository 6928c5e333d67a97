import { TOPICS, topicName } from '@caravanserai/contracts';
import { createKafka, ensureTopics } from '@caravanserai/messaging';
import { grantAgreement } from '@caravanserai/synthetic';
import { Partitioners, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { dropTestDatabase, freshTestDatabase, portBlock, TEST_KAFKA_BROKERS, uniqueSuffix } from './environment';
import { bearer, issueKey } from './keys';
import { ServiceProcess } from './service-process';
import { testSigningKeys } from './signing-keys';

const AGGREGATOR_ENTRY = 'dist/apps/aggregator/src/main.js';
const NODE_ENTRY = 'dist/apps/national-node/src/main.js';

export interface RegionOptions {
  /** Names everything the region makes: databases, topic prefix `<name>-<suffix>.`, consumer group, processes. */
  name: string;
  /** The national nodes to start, each as a process on its own fresh database (default: none). */
  states?: readonly string[];
  /** Agreements each node grants once it runs (terms as POST /v1/agreements takes them): the same
   * list for every state, or a list per state. The ids are in `agreements`. */
  grants?: readonly object[] | Readonly<Record<string, readonly object[]>>;
  /** Principals given a reader key at the aggregator (default: the secretariat). Its admin key is always issued. */
  readers?: readonly string[];
  /** Settings of every process, on top of the region's own (brokers, topic prefix, trust file). */
  env?: Record<string, string>;
  aggregatorEnv?: Record<string, string>;
  nodeEnv?: Record<string, string>;
  /** Comma-separated brokers (default: the shared test broker). */
  brokers?: string;
  /** Where the throw-away databases go (default: TEST_PG_BASE). */
  pgBase?: string;
  /** Start the aggregator (default true); false for a spec that starts its own with startAggregator({ fresh: true }). */
  aggregator?: boolean;
}

/** An aggregator process with its database and keys (principal → key; `admin` is its admin's). */
export interface AggregatorInstance {
  service: ServiceProcess;
  db: string;
  keys: Map<string, string>;
  /** One of its keys, as issued. */
  key(who: string): string;
  /** The authorization header of one of its keys. */
  as(who: string): Record<string, string>;
}

/**
 * A region as the end-to-end and fault tests run it: built services as processes on throw-away
 * databases, the test signing keys and their trust file, a topic prefix and consumer group no
 * other test uses, API keys issued, the agreements granted. One close stops every process it
 * started, ends its pools and producer and drops its databases.
 */
export class RunningRegion {
  readonly suffix = uniqueSuffix();
  readonly prefix: string;
  readonly group: string;
  readonly states: string[];
  readonly nodes = new Map<string, ServiceProcess>();
  readonly nodeDbs = new Map<string, string>();
  /** Raw keys: each node's ingest key (`state:XX`) and admin key, by state. */
  readonly keys = { ingest: new Map<string, string>(), nodeAdmin: new Map<string, string>() };
  /** Agreement ids granted at the start, by state, in the order of the options. */
  readonly agreements = new Map<string, string[]>();
  /** The region's (first) aggregator; startAggregator() replaces it, as a restart would. */
  main!: AggregatorInstance;
  /** Every process it started, and every database it made (in order: the first aggregator's first). */
  readonly services: ServiceProcess[] = [];
  readonly databases: string[] = [];
  private readonly pools = new Map<string, Pool>();
  private producerClient: Producer | null = null;
  private port = portBlock();

  constructor(readonly options: RegionOptions) {
    this.prefix = `${options.name}-${this.suffix}.`;
    this.group = `${options.name}-${this.suffix}`;
    this.states = [...(options.states ?? [])];
  }

  get aggregator(): ServiceProcess {
    return this.main.service;
  }
  get aggregatorDb(): string {
    return this.main.db;
  }

  /** A small pool on the main aggregator's database, made on first use; a lost connection (a
   * PostgreSQL restart) is ignored. */
  get pool(): Pool {
    let pool = this.pools.get(this.main.db);
    if (!pool) {
      pool = new Pool({ connectionString: this.main.db, max: 2 });
      pool.on('error', () => undefined);
      this.pools.set(this.main.db, pool);
    }
    return pool;
  }

  /** The settings every process of the region shares. */
  env(): Record<string, string> {
    return {
      KAFKA_BROKERS: this.options.brokers ?? TEST_KAFKA_BROKERS.join(','),
      TOPIC_PREFIX: this.prefix,
      ...testSigningKeys().aggregatorEnv(),
      ...this.options.env,
    };
  }

  topic(kind: keyof typeof TOPICS): string {
    return topicName(TOPICS[kind], this.prefix);
  }

  nextPort(): number {
    return this.port++;
  }

  async freshDatabase(purpose: string): Promise<string> {
    const db = await freshTestDatabase(`${this.options.name.replace(/\W/g, '_')}_${purpose}`, this.options.pgBase);
    this.databases.push(db);
    return db;
  }

  /**
   * An aggregator process. By default another instance on the region's aggregator database and in
   * its consumer group (a restart, a second instance), which becomes `main` unless `main: false`.
   * `fresh: true`: on a database of its own, with an admin key and the readers' keys issued there.
   */
  async startAggregator(
    opts: { name?: string; env?: Record<string, string>; group?: string; fresh?: boolean; main?: boolean } = {},
  ): Promise<AggregatorInstance> {
    const fresh = opts.fresh || !this.main;
    const name = opts.name ?? 'aggregator';
    const db = fresh ? await this.freshDatabase(name) : this.main.db;
    const keys = fresh ? new Map<string, string>() : this.main.keys;
    if (fresh) {
      keys.set('admin', await issueKey(db, 'aggregator', 'admin', 'admin'));
      for (const principal of this.options.readers ?? ['secretariat']) keys.set(principal, await issueKey(db, 'aggregator', principal, 'reader'));
    }
    const env = { ...this.env(), DATABASE_URL: db, CONSUMER_GROUP: opts.group ?? this.group, ...this.options.aggregatorEnv, ...opts.env };
    const service = await this.track(ServiceProcess.start(`${this.options.name}-${name}`, AGGREGATOR_ENTRY, env, this.nextPort()));
    const key = (who: string) => required(keys, who, 'aggregator key');
    const instance: AggregatorInstance = { service, db, keys, key, as: (who) => bearer(key(who)) };
    if (opts.main ?? (!this.main || !opts.fresh)) this.main = instance;
    return instance;
  }

  /** The node of `state` as a process: on a fresh database with its keys the first time, on the
   * same database again after (a restart). */
  async startNode(state: string): Promise<ServiceProcess> {
    let db = this.nodeDbs.get(state);
    if (!db) {
      db = await this.freshDatabase(`node_${state}`);
      this.nodeDbs.set(state, db);
      this.keys.ingest.set(state, await issueKey(db, 'node', `state:${state}`, 'ingest'));
      this.keys.nodeAdmin.set(state, await issueKey(db, 'node', 'admin', 'admin'));
    }
    const env = { ...this.env(), NODE_STATE: state, ...testSigningKeys().nodeEnv(state), DATABASE_URL: db, ...this.options.nodeEnv };
    const node = await this.track(ServiceProcess.start(`${this.options.name}-node-${state}`, NODE_ENTRY, env, this.nextPort()));
    this.nodes.set(state, node);
    return node;
  }

  node(state: string): ServiceProcess {
    return required(this.nodes, state, 'node');
  }

  /** The authorization header of an aggregator key of the main aggregator (`admin`, or a reader principal). */
  as(who: string): Record<string, string> {
    return this.main.as(who);
  }
  ingest(state: string): Record<string, string> {
    return bearer(required(this.keys.ingest, state, 'ingest key'));
  }
  nodeAdmin(state: string): Record<string, string> {
    return bearer(required(this.keys.nodeAdmin, state, 'node admin key'));
  }

  /** Grants an agreement at the node of `state` with its admin key; returns its id. */
  grant(state: string, terms: object): Promise<string> {
    return grantAgreement(this.node(state).url, terms as Record<string, unknown>, this.nodeAdmin(state));
  }

  /** A GET at the main aggregator as `who`; a status other than 200 fails with the answer. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON answer, typed by the caller or read loosely
  async get<T = any>(path: string, who = 'secretariat'): Promise<T> {
    const res = await fetch(`${this.aggregator.url}${path}`, { headers: this.as(who) });
    if (res.status !== 200) throw new Error(`GET ${path} as ${who}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** Cuts a release at `at` (default: the main aggregator) with its admin key; anything but 201 fails. */
  async release<T = { id: number; cutAt: string; dataUntil: string }>(
    body: { dataUntil?: string; reason?: string } = {},
    at: AggregatorInstance = this.main,
  ): Promise<T> {
    const res = await fetch(`${at.service.url}/v1/releases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...at.as('admin') },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`POST /v1/releases: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** The main aggregator's consumer lag over every partition (its admin's /v1/nodes). */
  async lag(): Promise<number | null> {
    return (await this.get<{ lag: { total: number | null } }>('/v1/nodes', 'admin')).lag.total;
  }

  /**
   * Publishes events straight to the region's topic of `kind`, each signed with its provider's
   * test key and keyed by provider, as a node would (the topics are made on first use).
   */
  async publish(kind: keyof typeof TOPICS, events: readonly { provider: string }[]): Promise<void> {
    const producer = await this.producer();
    const keys = testSigningKeys();
    for (let i = 0; i < events.length; i += 500) {
      await producer.send({
        topic: this.topic(kind),
        messages: events.slice(i, i + 500).map((e) => ({ key: e.provider, value: JSON.stringify(keys.sign(e)) })),
      });
    }
  }

  private async producer(): Promise<Producer> {
    if (this.producerClient) return this.producerClient;
    const kafka = createKafka(`${this.prefix}test`, this.env().KAFKA_BROKERS.split(','));
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [
        { topic: this.topic('movements'), numPartitions: 2 },
        { topic: this.topic('agreements'), numPartitions: 1 },
        { topic: this.topic('referrals'), numPartitions: 1 },
      ]);
    } finally {
      await admin.disconnect();
    }
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    this.producerClient = producer;
    return producer;
  }

  /** Stops every process, ends the pools and producer, drops every database. */
  async close(): Promise<void> {
    await Promise.all(this.services.map((p) => p.stop()));
    await this.producerClient?.disconnect();
    for (const pool of this.pools.values()) await pool.end().catch(() => undefined);
    for (const db of this.databases) await dropTestDatabase(db).catch(() => undefined);
  }

  private async track(starting: Promise<ServiceProcess>): Promise<ServiceProcess> {
    const service = await starting;
    this.services.push(service);
    return service;
  }

  /** The aggregator, then the nodes (in parallel), then the grants. */
  async start(): Promise<this> {
    if (this.options.aggregator ?? true) await this.startAggregator();
    await Promise.all(
      this.states.map(async (state) => {
        await this.startNode(state);
        const grants = Array.isArray(this.options.grants)
          ? this.options.grants
          : ((this.options.grants as Record<string, readonly object[]> | undefined)?.[state] ?? []);
        const ids: string[] = [];
        for (const terms of grants) ids.push(await this.grant(state, terms));
        this.agreements.set(state, ids);
      }),
    );
    return this;
  }
}

function required<V>(map: Map<string, V>, key: string, what: string): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`no ${what} for ${key}`);
  return value;
}

/** Starts a region (see RunningRegion); on a failure to start, what did start is closed again. */
export async function startRegion(options: RegionOptions): Promise<RunningRegion> {
  const region = new RunningRegion(options);
  try {
    return await region.start();
  } catch (e) {
    await region.close();
    throw e;
  }
}
