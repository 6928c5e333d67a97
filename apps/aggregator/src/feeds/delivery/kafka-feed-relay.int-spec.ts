import { feedTopicName } from '@caravanserai/contracts';
import { createKafka } from '@caravanserai/messaging';
import { dropTestDatabase, freshTestDatabase, TEST_KAFKA_BROKERS, uniqueSuffix, waitFor } from '@caravanserai/testing';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { load } from 'js-yaml';
import { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { openAggregatorDatabase } from '../../infrastructure/database';
import { FEED_ITEM_KINDS, FeedItem } from '../../answers/feed-item';
import { AggregatorSigner } from '../infrastructure/aggregator-signer';
import { KafkaFeedRelay, KIND_HEADER } from './infrastructure/kafka-feed-relay';
import { appendItems, signedItem } from './testing/webhook-receiver';
import { appendFeedItems } from '../infrastructure/pg-feed-items';

/**
 * Each recipient's items on its own topic, on the real PostgreSQL and Kafka: in order, keyed by
 * item id, with the kind in a header, once each across a restart of the relay; a withheld item
 * never written.
 */
describe('the per-recipient Kafka topics (PostgreSQL, Kafka)', () => {
  const prefix = `test-relay-${uniqueSuffix()}.`;
  let db: string;
  let pool: Pool;
  let kafka: Kafka;
  let signer: AggregatorSigner;
  const consumers: Consumer[] = [];
  const settings = {
    topicPrefix: prefix,
    replicationFactor: 1,
    retentionMs: 86_400_000,
    pollMs: 50,
    batch: 3,
    maxMessageBytes: 3 * 1_048_576,
    backoffBaseMs: 2_000,
    backoffMaxMs: 60_000,
  };

  beforeAll(async () => {
    db = await freshTestDatabase('agg_feed_relay');
    pool = await openAggregatorDatabase(db, 4, undefined, true);
    signer = await AggregatorSigner.open(pool);
    kafka = createKafka(`${prefix}test`, TEST_KAFKA_BROKERS);
  });

  afterAll(async () => {
    for (const c of consumers) await c.disconnect();
    await pool?.end();
    await dropTestDatabase(db);
  });

  const relayedUpTo = async (recipient: string) => {
    const { rows } = await pool.query(
      `SELECT (SELECT relayed_seq FROM feed_kafka_progress WHERE recipient = $1) = (SELECT max(seq) FROM feed_items WHERE recipient = $1) AS done`,
      [recipient],
    );
    return rows[0].done === true;
  };
  /** How many messages the topic holds (its one partition's high watermark). */
  const messagesOn = async (topic: string) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return Number((await admin.fetchTopicOffsets(topic))[0].high);
    } finally {
      await admin.disconnect();
    }
  };
  const readTopic = async (topic: string, count: number): Promise<KafkaMessage[]> => {
    const consumer = kafka.consumer({ groupId: `${prefix}reader-${randomUUID()}` });
    consumers.push(consumer);
    const seen: KafkaMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
    await waitFor(() => seen.length >= count, { what: `${count} messages on ${topic}` });
    return seen;
  };
  const asItems = (messages: KafkaMessage[]) =>
    messages.map((m) => ({ key: m.key?.toString(), kind: m.headers?.[KIND_HEADER]?.toString(), item: JSON.parse(m.value!.toString()) as FeedItem }));

  /** docs/asyncapi.yaml's FeedItem, which the values on the topics must match. */
  const asyncapi = load(readFileSync(join(__dirname, '../../../../../docs/asyncapi.yaml'), 'utf8')) as {
    components: { schemas: Record<string, { enum?: string[] }> };
  };
  const ajv = new Ajv({ strict: false });
  addFormats(ajv);
  ajv.addSchema({ $id: 'asyncapi', components: asyncapi.components });
  const documented = ajv.compile({ $ref: 'asyncapi#/components/schemas/FeedItem' });

  it('writes each recipient its own items in order, once each across a restart, and never a withheld one', async () => {
    const tr = await appendItems(pool, signer, 'state:TR', 5);
    const unhcr = await appendItems(pool, signer, 'org:UNHCR', 2);
    const first = new KafkaFeedRelay(pool, kafka, settings);
    await first.start();
    try {
      await waitFor(async () => (await relayedUpTo('state:TR')) && (await relayedUpTo('org:UNHCR')), { what: 'both recipients relayed', intervalMs: 50 });
    } finally {
      await first.stop();
    }
    expect(first.topicOf('state:TR')).toBe(`${prefix}caravanserai.feed.state.TR`);
    expect(feedTopicName('org:UNHCR')).toBe('caravanserai.feed.org.UNHCR');
    expect(feedTopicName('secretariat')).toBe('caravanserai.feed.secretariat');

    // Stopped: more items arrive, one of them under an agreement no longer in force.
    const agreement = randomUUID();
    await pool.query(
      `INSERT INTO agreements (agreement_id, provider, recipient, terms, status, version, granted_at, updated_at, revoked_at)
       VALUES ($1, 'IR', 'state:TR', '{}'::jsonb, 'revoked', 2, now(), now(), now())`,
      [agreement],
    );
    const more = await appendItems(pool, signer, 'state:TR', 2);
    const [withheld] = await appendItems(pool, signer, 'state:TR', 1, agreement);
    const last = await appendItems(pool, signer, 'state:TR', 2);

    const second = new KafkaFeedRelay(pool, kafka, settings);
    await second.start();
    try {
      await waitFor(() => relayedUpTo('state:TR'), { what: 'state:TR relayed after the restart', intervalMs: 50 });
    } finally {
      await second.stop();
    }

    const expected = [...tr, ...more, ...last];
    expect(await messagesOn(first.topicOf('state:TR'))).toBe(expected.length);
    expect(await messagesOn(first.topicOf('org:UNHCR'))).toBe(unhcr.length);
    const onTr = asItems(await readTopic(first.topicOf('state:TR'), expected.length));
    expect(onTr.map((m) => m.key)).toEqual(expected.map((i) => i.id));
    expect(onTr.map((m) => m.item)).toEqual(expected);
    expect(onTr.every((m) => m.kind === 'release.flows')).toBe(true);
    expect(asyncapi.components.schemas.FeedItemKind.enum).toEqual([...FEED_ITEM_KINDS]);
    for (const m of onTr)
      expect({ id: m.key, valid: documented(m.item), errors: ajv.errorsText(documented.errors) }).toEqual({ id: m.key, valid: true, errors: 'No errors' });
    expect(onTr.map((m) => m.key)).not.toContain(withheld.id);
    const onUnhcr = asItems(await readTopic(first.topicOf('org:UNHCR'), unhcr.length));
    expect(onUnhcr.map((m) => m.item)).toEqual(unhcr);
    const { rows } = await pool.query(`SELECT recipient, relayed_count::int AS n FROM feed_kafka_progress ORDER BY recipient`);
    expect(rows).toEqual([
      { recipient: 'org:UNHCR', n: 2 },
      { recipient: 'state:TR', n: 9 },
    ]);
  }, 60_000);

  it("takes an item larger than the broker's default message size, and holds back one larger than its topic takes, for its recipient only and with backoff", async () => {
    // 2 MiB: over the broker's default 1 MiB, under the topic's 3 MiB; then 4 MiB, over it.
    const large = await signedItem(signer, 'state:IR', 'release.flows', { text: 'x'.repeat(2 * 1_048_576) });
    const tooLarge = await signedItem(signer, 'state:PK', 'release.flows', { text: 'x'.repeat(4 * 1_048_576) });
    await appendFeedItems(pool, [{ item: large, agreementId: null }]);
    await appendFeedItems(pool, [{ item: tooLarge, agreementId: null }]);
    const after = await appendItems(pool, signer, 'state:PK', 1);
    const others = await appendItems(pool, signer, 'org:IOM', 2);
    const relay = new KafkaFeedRelay(pool, kafka, settings);
    await relay.start();
    try {
      await waitFor(async () => (await relayedUpTo('state:IR')) && (await relayedUpTo('org:IOM')), { what: 'IR and IOM relayed', intervalMs: 50 });
      // Polled every 50 ms: without the backoff, PK's batch would be read and refused about 30 times here.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(relay.held.get('state:PK')).toMatchObject({ reason: expect.stringContaining(`item ${tooLarge.id} takes`) });
      expect(relay.held.get('state:PK')!.failures).toBeLessThanOrEqual(5);
      expect(relay.held.has('state:IR')).toBe(false);
    } finally {
      await relay.stop();
    }
    expect(await relayedUpTo('state:PK')).toBe(false);
    expect(await messagesOn(relay.topicOf('state:PK'))).toBe(0);
    expect(after).toHaveLength(1); // waits behind the item too large, in order
    const onIr = asItems(await readTopic(relay.topicOf('state:IR'), 1));
    expect(onIr.map((m) => m.item)).toEqual([large]);
    expect(asItems(await readTopic(relay.topicOf('org:IOM'), 2)).map((m) => m.item)).toEqual(others);
  }, 60_000);
});
