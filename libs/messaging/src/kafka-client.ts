import { Logger } from '@nestjs/common';
import { Admin, ConfigResourceTypes, ConfigSource, ITopicConfig, Kafka, logLevel, LogEntry, Partitioners, Producer } from 'kafkajs';
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
  /** Topic-level settings this service owns (retention, clean-up; see topicRetention): set at
   * creation, and set again on an existing topic whose values differ, so a running region
   * converges at the next start. Absent: the topic's settings are left as they are. */
  config?: Record<string, string>;
}

/** How long each regional topic keeps its messages, and how it cleans up (docs/operations.md,
 * "Topic retention"). */
export interface RetentionSettings {
  movementsMs: number;
  referralsMs: number;
  alertsMs: number;
}

export const DAY_MS = 86_400_000;

/**
 * The retention and clean-up of a regional topic, by the name its contract gives it:
 * - `agreements.v1` never loses a decision: `retention.ms=-1` (and no size bound) with
 *   `cleanup.policy=delete`. Not compaction: the aggregator folds every event of an agreement's
 *   stream (granted, amended…, revoked), and compaction keeps only the last message per key (the
 *   stream), so an aggregator rebuilt from the topic would see amendments without their grant.
 * - `movements.v1`, `referrals.v1`: a bounded window (default 7 days): the nodes hold the history
 *   and republish it on request (POST /v1/republication), so the broker need not.
 * - `alerts.v1`: bounded (default 30 days); the aggregator lists the current alerts itself.
 */
export function topicRetention(channel: 'movements' | 'agreements' | 'referrals' | 'alerts', settings: RetentionSettings): Record<string, string> {
  switch (channel) {
    case 'agreements':
      return { 'cleanup.policy': 'delete', 'retention.ms': '-1', 'retention.bytes': '-1' };
    case 'movements':
      return { 'cleanup.policy': 'delete', 'retention.ms': String(settings.movementsMs) };
    case 'referrals':
      return { 'cleanup.policy': 'delete', 'retention.ms': String(settings.referralsMs) };
    case 'alerts':
      return { 'cleanup.policy': 'delete', 'retention.ms': String(settings.alertsMs) };
  }
}

/** What a topic's own settings should be: the spec's, and two in-sync replicas per write from
 * three replicas up. */
function wantedConfig(spec: TopicSpec, replicationFactor: number): Record<string, string> {
  return { ...(replicationFactor >= 3 ? { 'min.insync.replicas': '2' } : {}), ...(spec.config ?? {}) };
}

/**
 * Creates the topics that are missing, with their stated partition count, the given replication
 * factor and their settings (the brokers have auto-creation disabled). With three replicas or
 * more, a topic also requires two in-sync replicas per write (`min.insync.replicas=2`): with
 * `acks=all`, an acknowledged event then survives the loss of any one broker. An existing topic
 * with fewer partitions than stated is an error the operator must see, not something to paper
 * over. An existing topic whose settings differ from the spec's `config` gets them (see
 * convergeTopicConfigs).
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[], replicationFactor = 1): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing: ITopicConfig[] = specs
    .filter((s) => !existing.has(s.topic))
    .map((s) => ({
      topic: s.topic,
      numPartitions: s.numPartitions,
      replicationFactor,
      configEntries: Object.entries(wantedConfig(s, replicationFactor)).map(([name, value]) => ({ name, value })),
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
        throw new Error(`not allowed to create ${missing.map((t) => t.topic).join(', ')}: create them as the Kafka admin (docs/kafka-security.md)`, {
          cause: e,
        });
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
  const owned = specs.filter((s) => s.config && existing.has(s.topic));
  if (owned.length > 0) await convergeTopicConfigs(admin, owned, replicationFactor);
}

/**
 * Sets the spec's settings on existing topics whose values differ; returns the topics changed.
 * AlterConfigs (what kafkajs speaks) replaces a topic's whole set of own settings, so every
 * setting the topic already has at topic level is sent again beside the new values: only the
 * settings this service owns change. Without the right to describe or alter topic configs (a
 * broker with ACLs where the operator manages topics), it logs one line and leaves them.
 */
export async function convergeTopicConfigs(admin: Admin, specs: TopicSpec[], replicationFactor = 1): Promise<string[]> {
  const logger = new Logger('Topics');
  // A topic another process created a moment ago may not be known yet to the broker that answers
  // for configs (UNKNOWN_TOPIC_OR_PARTITION: "This server does not host this topic-partition"):
  // wait for it a little, then leave the settings to the next start rather than fail this one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await alterDifferingConfigs(admin, specs, replicationFactor, logger);
    } catch (e) {
      if (!isUnknownTopic(e)) throw e;
      if (attempt >= CONVERGE_ATTEMPTS) {
        logger.warn(`the settings of ${specs.map((s) => s.topic).join(', ')} could not be read yet (${(e as Error).message}); they are set at the next start`);
        return [];
      }
      await new Promise((r) => setTimeout(r, 150 * attempt));
    }
  }
}

const CONVERGE_ATTEMPTS = 8;

/** The error, or the one kafkajs retried until it gave up (originalError), says the topic is unknown. */
function isUnknownTopic(e: unknown): boolean {
  const x = e as { type?: string; originalError?: { type?: string }; errors?: { type?: string }[] };
  return [x, x?.originalError, ...(x?.errors ?? [])].some((y) => y?.type === 'UNKNOWN_TOPIC_OR_PARTITION');
}

async function alterDifferingConfigs(admin: Admin, specs: TopicSpec[], replicationFactor: number, logger: Logger): Promise<string[]> {
  try {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: specs.map((s) => ({ type: ConfigResourceTypes.TOPIC, name: s.topic })),
    });
    const changes = [];
    for (const spec of specs) {
      const resource = described.resources.find((r) => r.resourceName === spec.topic);
      if (!resource) continue;
      const own = Object.fromEntries(
        resource.configEntries.filter((c) => c.configSource === ConfigSource.TOPIC_CONFIG).map((c) => [c.configName, c.configValue]),
      );
      const current = Object.fromEntries(resource.configEntries.map((c) => [c.configName, c.configValue]));
      const wanted = wantedConfig(spec, replicationFactor);
      const differing = Object.entries(wanted).filter(([name, value]) => current[name] !== value);
      if (differing.length === 0) continue;
      const merged = { ...own, ...wanted };
      changes.push({ topic: spec.topic, differing, merged });
    }
    if (changes.length === 0) return [];
    await admin.alterConfigs({
      validateOnly: false,
      resources: changes.map((c) => ({
        type: ConfigResourceTypes.TOPIC,
        name: c.topic,
        configEntries: Object.entries(c.merged).map(([name, value]) => ({ name, value })),
      })),
    });
    for (const c of changes) logger.log(`topic ${c.topic}: set ${c.differing.map(([n, v]) => `${n}=${v}`).join(', ')}`);
    return changes.map((c) => c.topic);
  } catch (e) {
    if (!isAuthorizationError(e)) throw e;
    logger.warn(
      `not allowed to read or change the settings of ${specs.map((s) => s.topic).join(', ')}: set their retention as the Kafka admin (docs/operations.md#topic-retention)`,
    );
    return [];
  }
}

function isAuthorizationError(e: unknown): boolean {
  const errors = [e, ...((e as { errors?: unknown[] }).errors ?? [])] as { type?: string }[];
  return errors.some((x) => x?.type === 'TOPIC_AUTHORIZATION_FAILED' || x?.type === 'CLUSTER_AUTHORIZATION_FAILED');
}
