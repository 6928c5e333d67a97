import { createKafka, ensureTopics, kafkaSecurityFromEnv } from '@caravanserai/messaging';
import { generateMovements, postMovements, toRawMovement } from '@caravanserai/synthetic';
import {
  bearer,
  dropTestDatabase,
  freshTestDatabase,
  issueKey,
  portBlock,
  SecureBroker,
  ServiceProcess,
  testSigningKeys,
  uniqueSuffix,
  waitFor,
} from '@caravanserai/testing';
import { Pool } from 'pg';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, KafkaMessage, logLevel, Partitioners, ResourcePatternTypes } from 'kafkajs';

/**
 * The Kafka security model of docs/kafka-security.md on a real broker of its own, set up by
 * deploy/kafka/kafka-secure.sh: a node's credentials write the node topics and read nothing; the
 * aggregator's read the node topics as its consumer group and write alerts.v1 only; a wrong or
 * rotated password is refused. Then a national node process publishes with its credentials, and
 * an aggregator process consumes on its own, and writes each recipient's feed topic, which that
 * recipient's credentials read and no other's.
 */
describe('Kafka with SASL/SCRAM and ACLs', () => {
  const suffix = uniqueSuffix();
  const prefix = `sec-${suffix}.`;
  const group = `sec-agg-${suffix}`;
  const topic = {
    movements: `${prefix}movements.v1`,
    referrals: `${prefix}referrals.v1`,
    alerts: `${prefix}alerts.v1`,
    other: `${prefix}other.v1`,
  };
  // Two feed recipients are enough here (each one's ACLs cost two runs of the Kafka tools).
  const broker = new SecureBroker({ topicPrefix: prefix, consumerGroup: group, recipients: ['state:TR', 'org:UNHCR'] });
  const clients: { disconnect(): Promise<void> }[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  /** One principal's credentials, read the way a service reads them. */
  const credentials = async (user: string) =>
    kafkaSecurityFromEnv({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: user, KAFKA_SASL_PASSWORD_FILE: await broker.passwordFile(user) });
  const as = async (user: string): Promise<Kafka> => createKafka(`test-${user}`, broker.brokers, await credentials(user));

  type KafkaJsError = { type?: string; name?: string; cause?: KafkaJsError; errors?: KafkaJsError[] };
  /** The broker's error code behind a failure (kafkajs wraps some in other errors), else its name. */
  const errorType = (e: KafkaJsError): string =>
    e.type ?? (e.cause ? errorType(e.cause) : undefined) ?? (e.errors?.[0] ? errorType(e.errors[0]) : undefined) ?? e.name ?? String(e);
  const failure = async (attempt: Promise<unknown>): Promise<string> => attempt.then(() => 'succeeded', errorType);
  const REFUSED = /_AUTHORIZATION_FAILED$|^KafkaJSGroupCoordinatorNotFound$/;

  /**
   * Why `user` may not use consumer group `groupId`: kafkajs reports only "Failed to find group
   * coordinator" and logs the broker's answer at debug level, so this client listens to its log.
   */
  const groupFailure = async (user: string, groupId: string): Promise<string[]> => {
    const answers: string[] = [];
    const kafka = new Kafka({
      clientId: `test-group-${user}`,
      brokers: broker.brokers,
      ...(await credentials(user)),
      retry: { retries: 0 },
      logLevel: logLevel.DEBUG,
      logCreator:
        () =>
        ({ log }) => {
          const type = (log.error as { type?: string } | undefined)?.type;
          if (log.message === 'Tried to find group coordinator' && type) answers.push(type);
        },
    });
    const admin = kafka.admin();
    clients.push(admin);
    await admin.connect();
    await admin.describeCluster(); // fills the client's broker pool, which the coordinator look-up needs
    await expect(admin.fetchOffsets({ groupId, topics: [topic.movements] })).rejects.toMatchObject({ name: 'KafkaJSGroupCoordinatorNotFound' });
    await admin.disconnect();
    return answers;
  };

  const produce = async (kafka: Kafka, to: string, value: string) => {
    // As the outbox forwarder sends: an idempotent producer, no topic auto-creation.
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 1 },
    });
    clients.push(producer);
    await producer.connect();
    try {
      return await producer.send({ topic: to, acks: -1, messages: [{ key: 'stream-1', value }] });
    } finally {
      await producer.disconnect();
    }
  };

  /** Consumes `from` as `groupId` until `until` holds for what arrived, or the consumer crashes. */
  const consumeOnce = async (kafka: Kafka, from: string, groupId: string, until: (seen: KafkaMessage[]) => boolean) => {
    const consumer = kafka.consumer({ groupId, retry: { retries: 0, restartOnFailure: async () => false }, sessionTimeout: 6_000 });
    clients.push(consumer);
    const seen: KafkaMessage[] = [];
    try {
      return await new Promise<KafkaMessage[]>((resolve, reject) => {
        consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
        (async () => {
          await consumer.connect();
          await consumer.subscribe({ topic: from, fromBeginning: true });
          await consumer.run({
            eachMessage: async ({ message }) => {
              seen.push(message);
              if (until(seen)) resolve(seen);
            },
          });
        })().catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
  };
  /** consumeOnce, again after a passing error (e.g. a group coordinator still loading); a refusal
   * is final, never retried. */
  const consume = async (kafka: Kafka, from: string, groupId: string, until: (seen: KafkaMessage[]) => boolean = (s) => s.length > 0) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await consumeOnce(kafka, from, groupId, until);
      } catch (e) {
        if (REFUSED.test(errorType(e as KafkaJsError)) || attempt === 10) throw e;
        await new Promise((r) => setTimeout(r, 300 * attempt));
      }
    }
  };

  beforeAll(async () => {
    await broker.start();
    // A topic nobody was granted, made by the operator like the others.
    const admin = (await as('admin')).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: topic.other, numPartitions: 1 }], waitForLeaders: true });
    // Give node-af a consumer group of its own for one check: even with a group, it may not read a topic.
    await admin.createAcls({
      acl: [
        {
          resourceType: AclResourceTypes.GROUP,
          resourceName: `${group}-probe`,
          resourcePatternType: ResourcePatternTypes.LITERAL,
          principal: 'User:node-af',
          host: '*',
          operation: AclOperationTypes.READ,
          permissionType: AclPermissionTypes.ALLOW,
        },
      ],
    });
    await admin.disconnect();
  }, 180_000);

  afterAll(async () => {
    for (const c of clients) await c.disconnect().catch(() => undefined);
    for (const cleanup of cleanups.reverse()) await cleanup();
    await broker.stop();
  });

  it("lets a node's credentials write the node topics", async () => {
    const node = await as('node-af');
    await expect(produce(node, topic.movements, 'from AF')).resolves.toEqual([expect.objectContaining({ topicName: topic.movements, errorCode: 0 })]);
    await expect(produce(node, topic.referrals, 'from AF')).resolves.toEqual([expect.objectContaining({ errorCode: 0 })]);
  });

  it("refuses a node's credentials any read, with or without a consumer group", async () => {
    const node = await as('node-af');
    expect(await groupFailure('node-af', group)).toContain('GROUP_AUTHORIZATION_FAILED');
    expect(await failure(consume(node, topic.movements, group))).toBe('KafkaJSGroupCoordinatorNotFound');
    expect(await failure(consume(node, topic.movements, `${group}-probe`))).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await failure(consume(node, topic.alerts, `${group}-probe`))).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it("refuses a node's credentials the topics it was not granted", async () => {
    const node = await as('node-af');
    expect(await failure(produce(node, topic.alerts, 'forged alert'))).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await failure(produce(node, topic.other, 'x'))).toBe('TOPIC_AUTHORIZATION_FAILED');
    const admin = node.admin();
    clients.push(admin);
    await admin.connect();
    expect(await failure(admin.createTopics({ topics: [{ topic: `${prefix}made-by-a-node.v1` }] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
    // What a service sees when its topics were not made by the operator first.
    await expect(ensureTopics(admin, [{ topic: `${prefix}made-by-a-node.v1`, numPartitions: 1 }])).rejects.toThrow(
      `not allowed to create ${prefix}made-by-a-node.v1: create them as the Kafka admin (docs/kafka-security.md)`,
    );
    await admin.disconnect();
  });

  it('refuses a wrong password', async () => {
    const impostor = createKafka('test-impostor', broker.brokers, {
      sasl: { mechanism: 'scram-sha-512', username: 'node-af', password: 'not-the-password' },
    });
    const producer = impostor.producer({ retry: { retries: 0 } });
    clients.push(producer);
    await expect(producer.connect()).rejects.toMatchObject({
      name: 'KafkaJSSASLAuthenticationError',
      message: expect.stringContaining('SASL SCRAM SHA512 authentication failed'),
    });
  });

  it("lets the aggregator's credentials read the node topics as its group and write alerts, nothing more", async () => {
    const aggregator = await as('aggregator');
    const seen = await consume(aggregator, topic.movements, group);
    expect(seen.map((m) => m.value?.toString())).toContain('from AF');
    await expect(produce(aggregator, topic.alerts, 'surge')).resolves.toEqual([expect.objectContaining({ errorCode: 0 })]);
    expect(await failure(produce(aggregator, topic.movements, 'forged movement'))).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await failure(consume(aggregator, topic.alerts, group))).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await groupFailure('aggregator', `${group}-other`)).toContain('GROUP_AUTHORIZATION_FAILED');
  });

  it('rotates a password: the old one stops working, the new one works', async () => {
    const before = await as('node-kz');
    await produce(before, topic.movements, 'from KZ');
    await broker.script('rotate', 'node-kz');
    const stale = before.producer({ retry: { retries: 0 } });
    clients.push(stale);
    await expect(stale.connect()).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
    await expect(produce(await as('node-kz'), topic.movements, 'from KZ again')).resolves.toEqual([expect.objectContaining({ errorCode: 0 })]);
  });

  it('carries what a national node process publishes with its credentials to the aggregator', async () => {
    const db = await freshTestDatabase('sec_node_af');
    cleanups.push(() => dropTestDatabase(db));
    const node = await ServiceProcess.start(
      'node-AF-secure',
      'dist/apps/national-node/src/main.js',
      {
        NODE_STATE: 'AF',
        ...testSigningKeys().nodeEnv('AF'),
        DATABASE_URL: db,
        KAFKA_BROKERS: broker.brokers.join(','),
        TOPIC_PREFIX: prefix,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'node-af',
        KAFKA_SASL_PASSWORD_FILE: await broker.passwordFile('node-af'),
        OUTBOX_IDLE_MS: '50',
      },
      portBlock(),
    );
    cleanups.push(() => node.stop());

    const records = [
      ...generateMovements({ seed: 11, from: '2026-03-01', to: '2026-03-31', scale: 0.002, providers: ['AF'], recordIdPrefix: `SEC${suffix}-` }),
    ].slice(0, 20);
    const answer = await postMovements(node.url, records.map(toRawMovement), bearer(await issueKey(db, 'node', 'state:AF', 'ingest')));
    expect(answer.accepted).toBe(records.length);

    // The node's readiness probe authenticates too.
    const ready = await waitFor(
      async () => {
        const res = await fetch(`${node.url}/v1/health/ready`);
        return res.status === 200 ? res.json() : null;
      },
      { what: 'the node ready with its broker reachable' },
    );
    expect(ready).toMatchObject({ broker: 'up' });

    const eventIds = new Set(answer.results.map((r) => r.eventId));
    const envelope = (m: KafkaMessage): { eventId?: string; provider?: string } => {
      try {
        return JSON.parse(m.value?.toString() ?? '');
      } catch {
        return {}; // the plain-text messages of the checks above
      }
    };
    const published = await consume(
      await as('aggregator'),
      topic.movements,
      group,
      (seen) => seen.filter((m) => eventIds.has(envelope(m).eventId ?? '')).length === eventIds.size,
    );
    const fromNode = published.map(envelope).filter((e) => eventIds.has(e.eventId ?? ''));
    expect(fromNode).toHaveLength(records.length);
    expect(fromNode.every((e) => e.provider === 'AF')).toBe(true);
  });

  it('runs an aggregator process on its credentials alone: it consumes every node topic as its group', async () => {
    // Replay the group from the start (the checks above committed offsets as this group).
    const admin = (await as('admin')).admin();
    clients.push(admin);
    await admin.connect();
    for (const t of [topic.movements, topic.referrals, `${prefix}agreements.v1`]) await admin.resetOffsets({ groupId: group, topic: t, earliest: true });
    const published = (await admin.fetchTopicOffsets(topic.movements)).reduce((sum, p) => sum + Number(p.high), 0);
    await admin.disconnect();

    const db = await freshTestDatabase('sec_agg');
    cleanups.push(() => dropTestDatabase(db));
    const aggregator = await ServiceProcess.start(
      'aggregator-secure',
      'dist/apps/aggregator/src/main.js',
      {
        DATABASE_URL: db,
        ...testSigningKeys().aggregatorEnv(),
        KAFKA_BROKERS: broker.brokers.join(','),
        TOPIC_PREFIX: prefix,
        CONSUMER_GROUP: group,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'aggregator',
        KAFKA_SASL_PASSWORD_FILE: await broker.passwordFile('aggregator'),
      },
      portBlock(),
    );
    cleanups.push(() => aggregator.stop());

    type Health = { consumer: Record<string, { received: number; lastError: string | null }> };
    const health = await waitFor(
      async () => {
        const h = (await (await fetch(`${aggregator.url}/v1/health`)).json()) as Health;
        return h.consumer[topic.movements]?.received === published ? h : null;
      },
      { what: `the aggregator to receive the ${published} messages on ${topic.movements}` },
    );
    expect(Object.values(health.consumer).map((c) => c.lastError)).toEqual([null, null, null]);
    const ready = await fetch(`${aggregator.url}/v1/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ broker: 'up', consumer: 'running' });
  });

  it("lets each recipient's credentials read its own feed topic, written by the aggregator, and no other's", async () => {
    const feed = { tr: `${prefix}caravanserai.feed.state.TR`, unhcr: `${prefix}caravanserai.feed.org.UNHCR` };
    const db = await freshTestDatabase('sec_feed');
    const aggregator = await ServiceProcess.start(
      'aggregator-secure-feed',
      'dist/apps/aggregator/src/main.js',
      {
        DATABASE_URL: db,
        CONSUME: 'false',
        WEBHOOK_DELIVERY: 'false',
        FEED_KAFKA_POLL_MS: '100',
        KAFKA_BROKERS: broker.brokers.join(','),
        TOPIC_PREFIX: prefix,
        CONSUMER_GROUP: group,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'aggregator',
        KAFKA_SASL_PASSWORD_FILE: await broker.passwordFile('aggregator'),
      },
      portBlock(),
    );
    // Items as the feed's writers store them (their content does not matter to the ACLs).
    const pool = new Pool({ connectionString: db, max: 1 });
    cleanups.push(
      () => dropTestDatabase(db),
      () => aggregator.stop(),
      () => pool.end(),
    );
    const items = (['state:TR', 'state:TR', 'org:UNHCR'] as const).map((recipient, n) => ({
      id: `test/${suffix}/${n}`,
      kind: 'release.flows',
      recipient,
      occurredAt: new Date().toISOString(),
      data: { n },
    }));
    for (const i of items)
      await pool.query(`INSERT INTO feed_items (recipient, item_id, kind, occurred_at, item) VALUES ($1, $2, $3, $4, $5)`, [
        i.recipient,
        i.id,
        i.kind,
        i.occurredAt,
        i,
      ]);
    const admin = (await as('admin')).admin();
    clients.push(admin);
    await admin.connect();
    const high = (t: string) =>
      admin.fetchTopicOffsets(t).then(
        (o) => Number(o[0].high),
        () => 0,
      );
    await waitFor(async () => (await high(feed.tr)) === 2 && (await high(feed.unhcr)) === 1, { what: "the aggregator to write both recipients' topics" });
    await admin.disconnect();

    const tr = await as('feed-state-tr');
    const seen = await consume(tr, feed.tr, `${feed.tr}.etl`, (m) => m.length === 2);
    expect(seen.map((m) => m.key?.toString())).toEqual([items[0].id, items[1].id]);
    expect(await failure(consume(tr, feed.unhcr, `${feed.tr}.etl`))).toBe('TOPIC_AUTHORIZATION_FAILED');
    // With no WRITE on any topic, its idempotent producer is refused a producer id before it can send.
    expect(await failure(produce(tr, feed.tr, 'forged item'))).toBe('CLUSTER_AUTHORIZATION_FAILED');
    expect(await groupFailure('feed-state-tr', `${feed.unhcr}.etl`)).toContain('GROUP_AUTHORIZATION_FAILED');
    const unhcr = await consume(await as('feed-org-unhcr'), feed.unhcr, feed.unhcr);
    expect(unhcr.map((m) => m.key?.toString())).toEqual([items[2].id]);
    expect(await failure(produce(await as('node-af'), feed.tr, 'forged item'))).toBe('TOPIC_AUTHORIZATION_FAILED');
  });
});
