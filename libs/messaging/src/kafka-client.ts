import { Logger } from '@nestjs/common';
import { Admin, ITopicConfig, Kafka, logLevel, LogEntry, Partitioners, Producer } from 'kafkajs';
import { KafkaSecurity, kafkaSecurityFromEnv } from './kafka-security';

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs logs through Nest's logger, warnings and errors only by default. Its entries carry
 * broker and group metadata, never message payloads. */
function nestLogCreator() {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const detail = extra.error ? ` (${String(extra.error)})` : '';
      new Logger(`kafkajs:${namespace}`)[LEVEL_NAMES[level] ?? 'log'](`${message}${detail}`);
    };
}

/** A kafkajs client. Its credentials come from the environment (`KAFKA_SASL_*`, see
 * kafkaSecurityFromEnv) unless given; a process with several identities (a test) passes each. */
export function createKafka(clientId: string, brokers: string[], security: KafkaSecurity = kafkaSecurityFromEnv()): Kafka {
  return new Kafka({
    clientId,
    brokers,
    ...security,
    logLevel: process.env.KAFKAJS_LOG_LEVEL === 'debug' ? logLevel.DEBUG : logLevel.WARN,
    logCreator: nestLogCreator,
  });
}

/**
 * A connected producer for an outbox: idempotent, one request in flight (so a retry cannot
 * reorder a stream's events), no topic created by accident, and kafkajs' default (murmur2,
 * Java-compatible) partitioner, named so it does not warn. The node's event outbox and the
 * aggregator's alert outbox both publish through one.
 */
export async function connectOutboxProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}

export interface TopicSpec {
  topic: string;
  numPartitions: number;
}

/**
 * Creates the topics that are missing, with their stated partition count and the given
 * replication factor (the brokers have auto-creation disabled). With three replicas or more, a
 * topic also requires two in-sync replicas per write (`min.insync.replicas=2`): with `acks=all`,
 * an acknowledged event then survives the loss of any one broker. An existing topic with fewer partitions than stated is an error the
 * operator must see, not something to paper over.
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[], replicationFactor = 1): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing: ITopicConfig[] = specs
    .filter((s) => !existing.has(s.topic))
    .map((s) => ({
      topic: s.topic,
      numPartitions: s.numPartitions,
      replicationFactor,
      configEntries: replicationFactor >= 3 ? [{ name: 'min.insync.replicas', value: '2' }] : [],
    }));
  if (missing.length > 0) {
    try {
      await admin.createTopics({ topics: missing, waitForLeaders: true });
    } catch (e) {
      // Another process may have created it between listTopics and createTopics.
      if ((e as { type?: string }).type === 'TOPIC_ALREADY_EXISTS') {
        /* fine */
      } else if (isAuthorizationError(e)) {
        // With ACLs the services may not create topics: the operator does (kafka-secure.sh setup).
        throw new Error(`not allowed to create ${missing.map((t) => t.topic).join(', ')}: create them as the Kafka admin (docs/kafka-security.md)`);
      } else {
        throw e;
      }
    }
  }
  const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
  for (const spec of specs) {
    const found = topics.find((t) => t.name === spec.topic);
    if (!found) throw new Error(`topic ${spec.topic} is missing after creation`);
    if (found.partitions.length < spec.numPartitions) {
      throw new Error(`topic ${spec.topic} has ${found.partitions.length} partitions, ${spec.numPartitions} expected`);
    }
  }
}

function isAuthorizationError(e: unknown): boolean {
  const errors = [e, ...((e as { errors?: unknown[] }).errors ?? [])] as { type?: string }[];
  return errors.some((x) => x?.type === 'TOPIC_AUTHORIZATION_FAILED' || x?.type === 'CLUSTER_AUTHORIZATION_FAILED');
}
