import { TEST_KAFKA_BROKERS, uniqueSuffix } from '@caravanserai/testing';
import { Admin, ConfigResourceTypes } from 'kafkajs';
import { convergeTopicConfigs, createKafka, ensureTopics, topicRetention } from './kafka-client';

/** Topic retention set by the services, on the real broker: at creation, and converged on a topic
 * that exists with other values (a running region), leaving settings the services do not own. */
describe('ensureTopics with retention (Kafka)', () => {
  let admin: Admin;
  const suffix = uniqueSuffix();
  const settings = { movementsMs: 7 * 86_400_000, referralsMs: 3 * 86_400_000, alertsMs: 30 * 86_400_000 };
  const topics = { movements: `test-ret-${suffix}.movements`, agreements: `test-ret-${suffix}.agreements`, late: `test-ret-${suffix}.late` };

  const configOf = async (topic: string) => {
    const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
    return Object.fromEntries(resources[0].configEntries.map((c) => [c.configName, c.configValue]));
  };

  beforeAll(async () => {
    admin = createKafka('test-retention', TEST_KAFKA_BROKERS).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates agreements.v1 keeping every decision and a movement topic with a bounded window', async () => {
    await ensureTopics(admin, [
      { topic: topics.movements, numPartitions: 2, config: topicRetention('movements', settings) },
      { topic: topics.agreements, numPartitions: 1, config: topicRetention('agreements', settings) },
    ]);
    expect(await configOf(topics.agreements)).toMatchObject({ 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'delete' });
    expect(await configOf(topics.movements)).toMatchObject({ 'retention.ms': String(7 * 86_400_000), 'cleanup.policy': 'delete' });
  });

  it('sets the retention again on a topic that has drifted, keeping its other own settings', async () => {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topics.agreements,
          configEntries: [
            { name: 'retention.ms', value: '86400000' },
            { name: 'max.message.bytes', value: '2000000' },
          ],
        },
      ],
    });
    expect(await configOf(topics.agreements)).toMatchObject({ 'retention.ms': '86400000' });
    await ensureTopics(admin, [{ topic: topics.agreements, numPartitions: 1, config: topicRetention('agreements', settings) }]);
    expect(await configOf(topics.agreements)).toMatchObject({ 'retention.ms': '-1', 'cleanup.policy': 'delete', 'max.message.bytes': '2000000' });
  });

  it('leaves a topic without a stated config as it is', async () => {
    await ensureTopics(admin, [{ topic: topics.movements, numPartitions: 2 }]);
    expect((await configOf(topics.movements))['retention.ms']).toBe(String(7 * 86_400_000));
  });

  it('waits for a topic another process is creating, then sets its retention; gives up on one that never comes without failing the start', async () => {
    const spec = { topic: topics.late, numPartitions: 1, config: topicRetention('movements', settings) };
    const converging = convergeTopicConfigs(admin, [spec]);
    await new Promise((r) => setTimeout(r, 300));
    await admin.createTopics({ topics: [{ topic: topics.late, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    expect(await converging).toEqual([topics.late]);
    expect(await configOf(topics.late)).toMatchObject({ 'retention.ms': String(7 * 86_400_000) });
    expect(await convergeTopicConfigs(admin, [{ ...spec, topic: `test-ret-${suffix}.never` }])).toEqual([]);
  });
});
