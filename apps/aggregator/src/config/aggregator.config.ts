import { Transform } from 'class-transformer';
import { limitVersions, MOVEMENT_SCHEMAS, newestVersion, Schemas, TOPICS, topicName } from '@caravanserai/contracts';
import { IsTrustedKeysFile } from '@caravanserai/crypto';
import { DAY_MS } from '@caravanserai/messaging';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';

/** true/false (also 1/0, yes/no, on/off); unset gives the default. */
const asBoolean =
  (defaultValue: boolean) =>
  ({ obj, key }: { obj: Record<string, unknown>; key: string }) =>
    obj[key] === undefined
      ? defaultValue
      : ['true', '1', 'yes', 'on'].includes(String(obj[key]).toLowerCase())
        ? true
        : ['false', '0', 'no', 'off'].includes(String(obj[key]).toLowerCase())
          ? false
          : obj[key];
/** The newest version of every movement event type the code reads. */
const NEWEST_MOVEMENT_VERSION = Math.min(...Object.values(MOVEMENT_SCHEMAS).map(newestVersion));

/** Every setting of the aggregator; read from the environment and checked at boot. */
export class AggregatorConfig {
  @IsInt() @Min(1) @Max(65535) PORT: number = 3000;
  @IsString() HOST: string = '127.0.0.1';

  /** Default: postgres://postgres@127.0.0.1:5432/caravanserai_aggregator, or the PG* variables. */
  @IsOptional() @IsString() @Matches(/^postgres(ql)?:\/\//) DATABASE_URL?: string;
  /** false: the service neither creates its database nor migrates it at boot; it checks that the
   * schema is at the latest migration (made by `npm run migrate`) and stops naming what is missing. */
  @Transform(({ obj, key }) =>
    obj[key] === undefined
      ? true
      : ['true', '1', 'yes', 'on'].includes(String(obj[key]).toLowerCase())
        ? true
        : ['false', '0', 'no', 'off'].includes(String(obj[key]).toLowerCase())
          ? false
          : obj[key],
  )
  @IsBoolean()
  DATABASE_AUTO_MIGRATE: boolean = true;

  @IsString() @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/) KAFKA_BROKERS: string = '127.0.0.1:9092';
  @IsString() @Matches(/^[\w.-]+$/) CONSUMER_GROUP: string = 'caravanserai-aggregator';
  @IsInt() @Min(1) @Max(1000) MOVEMENTS_PARTITIONS: number = 6;
  /** One partition keeps every provider's agreement decisions in one order. */
  @IsInt() @Min(1) @Max(1000) AGREEMENTS_PARTITIONS: number = 1;
  @IsInt() @Min(1) @Max(1000) REFERRALS_PARTITIONS: number = 6;
  /** Replicas of each topic this service creates: 1 for a single broker, 3 on a cluster (then
   * also min.insync.replicas=2). */
  @IsInt() @Min(1) @Max(5) TOPIC_REPLICATION_FACTOR: number = 1;
  /** How long movements.v1, referrals.v1 (default 7 days) and alerts.v1 (30 days) keep a message
   * (ms), set on the topics at start; agreements.v1 keeps every decision
   * (docs/operations.md#topic-retention). The same values as the nodes', or each start sets its own. */
  @IsInt() @Min(60_000) MOVEMENTS_RETENTION_MS: number = 7 * DAY_MS;
  @IsInt() @Min(60_000) REFERRALS_RETENTION_MS: number = 7 * DAY_MS;
  @IsInt() @Min(60_000) ALERTS_RETENTION_MS: number = 30 * DAY_MS;
  /** Put before every topic name, e.g. `test-42.` gives `test-42.movements.v1`. Empty in production. */
  @IsOptional() @Matches(/^[\w.-]*$/) TOPIC_PREFIX: string = '';

  /** How long the group waits for a crashed instance before giving its partitions to the others
   * (kafkajs default 30 s; the brokers accept 6 s to 300 s). Heartbeats go every tenth of it. */
  @IsInt() @Min(6000) @Max(300000) CONSUMER_SESSION_TIMEOUT_MS: number = 30_000;
  /** Partitions whose batches are taken in at the same time, each in its own transaction. */
  @IsInt() @Min(1) @Max(32) CONSUMER_PARTITIONS_CONCURRENTLY: number = 3;
  @IsInt() @Min(1) @Max(100) PG_POOL_SIZE: number = 10;
  /** Rows of flow answers kept for repeated questions (see QueryFlowsHandler); 0 keeps none. */
  @IsInt() @Min(0) FLOWS_CACHE_ROWS: number = 200_000;
  @IsInt() @Min(1024) BODY_LIMIT_BYTES: number = 1024 * 1024;
  /** Requests one caller (API key, else principal header, else address) may make per window;
   * health and readiness are exempt. Generous: tests, the demo and the benchmark stay far below. */
  @IsInt() @Min(1) RATE_LIMIT_MAX: number = 3000;
  @IsInt() @Min(100) @Max(3_600_000) RATE_LIMIT_WINDOW_MS: number = 60_000;
  /** Whether the consumer runs in this process (off for an API-only instance). */
  @Transform(({ obj, key }) =>
    obj[key] === undefined
      ? true
      : ['true', '1', 'yes', 'on'].includes(String(obj[key]).toLowerCase())
        ? true
        : ['false', '0', 'no', 'off'].includes(String(obj[key]).toLowerCase())
          ? false
          : obj[key],
  )
  @IsBoolean()
  CONSUME: boolean = true;

  /** Surge detection (docs/alerts.md): a run at least this often (ms), and also soon after ingest
   * progress (at most every ALERTS_PROGRESS_GAP_MS). Runs only where CONSUME is on. */
  @IsInt() @Min(1000) @Max(86_400_000) ALERTS_INTERVAL_MS: number = 60_000;
  @IsInt() @Min(500) @Max(3_600_000) ALERTS_PROGRESS_GAP_MS: number = 5_000;
  /** Fewest movements in the recent week for any surge alert. */
  @IsInt() @Min(1) ALERTS_MIN_VOLUME: number = 30;
  @IsInt() @Min(1) @Max(1000) ALERTS_PARTITIONS: number = 3;
  /** The operator's file of trusted node keys (docs/signing.md); required when consuming. An
   * event is taken in only if a key of its provider in this file verifies its signature. */
  @ValidateIf((c: AggregatorConfig) => c.CONSUME === true || c.TRUSTED_NODE_KEYS_FILE !== undefined)
  @IsTrustedKeysFile()
  TRUSTED_NODE_KEYS_FILE?: string;
  /** The region's cell-key secret (at least 32 bytes), the same for every aggregator of the region
   * (docs/operations.md#releases-and-the-cell-key-secret); unset: the one the database generated. */
  @IsOptional() @IsString() CELL_KEY_SECRET_FILE?: string;
  /** The aggregator's own Ed25519 key (PKCS#8 PEM) that signs feed items and webhooks; without it,
   * a key made at first start and kept in the database (docs/integrators.md). */
  @IsOptional() @IsString() AGGREGATOR_SIGNING_KEY_FILE?: string;
  /** How often the trust file is checked for changes; a change is in force from the next batch. */
  @IsInt() @Min(100) @Max(600_000) TRUSTED_NODE_KEYS_POLL_MS: number = 1_000;

  /* Delivery of the feeds (docs/operations.md#feed-delivery). Any number of aggregators may run
   * both: each subscription and each recipient's topic is held by one of them at a time. */
  /** Whether this process posts webhook deliveries. */
  @Transform(asBoolean(true)) @IsBoolean() WEBHOOK_DELIVERY: boolean = true;
  /** Lets a subscription use plain http to 127.0.0.1, ::1 or localhost (tests, a local receiver);
   * otherwise https only. Never on in production. */
  @Transform(asBoolean(false)) @IsBoolean() WEBHOOK_ALLOW_HTTP_LOCALHOST: boolean = false;
  /** How long one attempt may take, connection to response. */
  @IsInt() @Min(100) @Max(120_000) WEBHOOK_TIMEOUT_MS: number = 10_000;
  /** Consecutive failed attempts at one item before the subscription is parked. */
  @IsInt() @Min(1) @Max(100) WEBHOOK_MAX_ATTEMPTS: number = 10;
  /** Backoff after the n-th failure: a random delay in [0, min(MAX, BASE * 2^(n-1))] (full jitter). */
  @IsInt() @Min(10) @Max(3_600_000) WEBHOOK_BACKOFF_BASE_MS: number = 2_000;
  @IsInt() @Min(10) @Max(86_400_000) WEBHOOK_BACKOFF_MAX_MS: number = 600_000;
  /** How often the dispatcher looks for subscriptions with new items. */
  @IsInt() @Min(20) @Max(60_000) WEBHOOK_POLL_MS: number = 1_000;
  /** Subscriptions posted to at the same time by this process (each holds a database connection). */
  @IsInt() @Min(1) @Max(32) WEBHOOK_CONCURRENCY: number = 4;
  @IsInt() @Min(1) @Max(1000) WEBHOOK_MAX_PER_RECIPIENT: number = 10;
  /** Whether this process writes each recipient's items to its Kafka topic. */
  @Transform(asBoolean(true)) @IsBoolean() FEED_KAFKA_RELAY: boolean = true;
  @IsInt() @Min(20) @Max(60_000) FEED_KAFKA_POLL_MS: number = 1_000;
  /** Items sent to one recipient's topic per batch (one transaction, one produce request). */
  @IsInt() @Min(1) @Max(10_000) FEED_KAFKA_BATCH: number = 500;
  /** How long a recipient's topic keeps an item (the cursor feed keeps every one). */
  @IsInt() @Min(60_000) FEED_KAFKA_RETENTION_MS: number = 30 * DAY_MS;
  /** The largest item a recipient's topic takes (its max.message.bytes; the broker's own default is
   * 1 MiB, a year's answer at a fine level can be several): at most 90 MiB, under the broker's
   * 100 MiB request limit. A larger item holds its recipient's topic back, logged, until raised. */
  @IsInt() @Min(1_048_576) @Max(94_371_840) FEED_KAFKA_MAX_MESSAGE_BYTES: number = 64 * 1_048_576;
  /** The newest movement event version this aggregator reads, at most the newest the code knows
   * (unset: that one). Newer events wait in awaiting_upgrade until an aggregator that reads them
   * starts (docs/events.md, "Versioning"): for holding a region at the version every aggregator
   * of it knows while they are upgraded one by one, and for the mixed-version test. */
  @IsOptional() @IsInt() @Min(1) @Max(NEWEST_MOVEMENT_VERSION) AGGREGATOR_MAX_SCHEMA_VERSION?: number;
}

/** The movement schemas this aggregator reads (AGGREGATOR_MAX_SCHEMA_VERSION). */
export const movementSchemas = (c: Pick<AggregatorConfig, 'AGGREGATOR_MAX_SCHEMA_VERSION'>): Schemas =>
  c.AGGREGATOR_MAX_SCHEMA_VERSION === undefined ? MOVEMENT_SCHEMAS : limitVersions(MOVEMENT_SCHEMAS, c.AGGREGATOR_MAX_SCHEMA_VERSION);

export const AGGREGATOR_CONFIG = Symbol('AGGREGATOR_CONFIG');
export const movementsTopic = (c: AggregatorConfig) => topicName(TOPICS.movements, c.TOPIC_PREFIX);
export const agreementsTopic = (c: AggregatorConfig) => topicName(TOPICS.agreements, c.TOPIC_PREFIX);
export const referralsTopic = (c: AggregatorConfig) => topicName(TOPICS.referrals, c.TOPIC_PREFIX);
export const alertsTopic = (c: AggregatorConfig) => topicName(TOPICS.alerts, c.TOPIC_PREFIX);
/** Every topic the aggregator consumes. */
export const regionalTopics = (c: AggregatorConfig) => [movementsTopic(c), agreementsTopic(c), referralsTopic(c)];
/** The retention of the regional topics as this aggregator sets it (docs/operations.md#topic-retention). */
export const retentionOf = (c: AggregatorConfig) => ({
  movementsMs: c.MOVEMENTS_RETENTION_MS,
  referralsMs: c.REFERRALS_RETENTION_MS,
  alertsMs: c.ALERTS_RETENTION_MS,
});
