import { Transform } from 'class-transformer';
import { TOPICS, topicName } from '@caravanserai/contracts';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** Every setting of the aggregator; read from the environment and checked at boot. */
export class AggregatorConfig {
  @IsInt() @Min(1) @Max(65535) PORT: number = 3000;
  @IsString() HOST: string = '127.0.0.1';

  /** Default: postgres://postgres@127.0.0.1:5432/caravanserai_aggregator, or the PG* variables. */
  @IsOptional() @IsString() @Matches(/^postgres(ql)?:\/\//) DATABASE_URL?: string;

  @IsString() @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/) KAFKA_BROKERS: string = '127.0.0.1:9092';
  @IsString() @Matches(/^[\w.-]+$/) CONSUMER_GROUP: string = 'caravanserai-aggregator';
  @IsInt() @Min(1) @Max(1000) MOVEMENTS_PARTITIONS: number = 6;
  /** One partition keeps every provider's agreement decisions in one order. */
  @IsInt() @Min(1) @Max(1000) AGREEMENTS_PARTITIONS: number = 1;
  @IsInt() @Min(1) @Max(1000) REFERRALS_PARTITIONS: number = 6;
  /** Replicas of each topic this service creates: 1 for a single broker, 3 on a cluster (then
   * also min.insync.replicas=2). */
  @IsInt() @Min(1) @Max(5) TOPIC_REPLICATION_FACTOR: number = 1;
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
  /** Whether the consumer runs in this process (off for an API-only instance). */
  @Transform(({ obj, key }) => (obj[key] === undefined ? true : ['true', '1', 'yes', 'on'].includes(String(obj[key]).toLowerCase()) ? true : ['false', '0', 'no', 'off'].includes(String(obj[key]).toLowerCase()) ? false : obj[key]))
  @IsBoolean()
  CONSUME: boolean = true;
}

export const AGGREGATOR_CONFIG = Symbol('AGGREGATOR_CONFIG');
export const movementsTopic = (c: AggregatorConfig) => topicName(TOPICS.movements, c.TOPIC_PREFIX);
export const agreementsTopic = (c: AggregatorConfig) => topicName(TOPICS.agreements, c.TOPIC_PREFIX);
export const referralsTopic = (c: AggregatorConfig) => topicName(TOPICS.referrals, c.TOPIC_PREFIX);
/** Every topic the aggregator consumes. */
export const regionalTopics = (c: AggregatorConfig) => [movementsTopic(c), agreementsTopic(c), referralsTopic(c)];
