import type { Kafka } from 'kafkajs';
import type { BatchIngest } from '../infrastructure/batch-ingest.port';
import { RegionalTopics } from '../infrastructure/regional-topics';
import { KafkaRegionalConsumer } from './kafka-regional.consumer';

/** The ingest wiring knows the topics only as their contexts register them (at onModuleInit, after
 * the consumer is built): what it makes, what it consumes and what it reports must follow. */
describe('RegionalTopics and the consumer built before the registrations', () => {
  const ingest = (name: string) => ({ name }) as unknown as BatchIngest;

  it('consumes and counts every topic registered after it was built, in the order registered', () => {
    const topics = new RegionalTopics();
    // Kafka is not touched before start().
    const consumer = new KafkaRegionalConsumer({} as Kafka, topics.ingests, { groupId: 'g', fromBeginning: true });
    expect(consumer.topics).toEqual([]);
    const movements = ingest('movements');
    topics.register({ topic: 'x.movements.v1', numPartitions: 3, config: { 'retention.ms': '1' }, ingest: movements });
    topics.register({ topic: 'x.agreements.v1', numPartitions: 1, ingest: ingest('agreements') });
    expect(consumer.topics).toEqual(['x.movements.v1', 'x.agreements.v1']);
    expect(consumer.handlers.get('x.movements.v1')).toBe(movements);
    expect(Object.keys(consumer.stats)).toEqual(['x.movements.v1', 'x.agreements.v1']);
    expect(consumer.stats['x.agreements.v1']).toMatchObject({ received: 0, applied: 0, batches: 0, lastBatchAt: null, lastError: null });
    expect(topics.topics()).toEqual([
      { topic: 'x.movements.v1', numPartitions: 3, config: { 'retention.ms': '1' } },
      { topic: 'x.agreements.v1', numPartitions: 1 },
    ]);
  });

  it('refuses a topic registered twice', () => {
    const topics = new RegionalTopics();
    topics.register({ topic: 't', numPartitions: 1, ingest: ingest('a') });
    expect(() => topics.register({ topic: 't', numPartitions: 1, ingest: ingest('b') })).toThrow('regional topic t is registered twice');
  });
});
