import { PROVIDER_STATES, TOPICS, topicName } from '@caravanserai/contracts';
import { IsSigningKeyFile } from '@caravanserai/crypto';
import { DAY_MS } from '@caravanserai/messaging';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** Every setting of a national node; read from the environment and checked at boot. */
export class NodeConfig {
  /** The state this node speaks for (ISO 3166-1 alpha-2, one of the nine). */
  @IsIn(PROVIDER_STATES) NODE_STATE: string;

  /** The node's Ed25519 private key (PKCS#8 PEM); every event is signed with it (docs/signing.md). */
  @IsSigningKeyFile() NODE_SIGNING_KEY_FILE: string;
  /** The key's id in the aggregator's trust file, carried by every event as `keyId`. */
  @IsString() @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, { message: '1-64 of A-Z a-z 0-9 . _ : -' }) NODE_SIGNING_KEY_ID: string;

  @IsInt() @Min(1) @Max(65535) PORT: number = 3001;
  @IsString() HOST: string = '127.0.0.1';

  /** Default: postgres://postgres@127.0.0.1:5432/caravanserai_node_<state>, or the PG* variables. */
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

  /** Comma-separated host:port list. */
  @IsString() @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/) KAFKA_BROKERS: string = '127.0.0.1:9092';

  @IsInt() @Min(1) @Max(1000) MOVEMENTS_PARTITIONS: number = 6;
  /** One partition keeps a total order of a provider's decisions on its agreements. */
  @IsInt() @Min(1) @Max(1000) AGREEMENTS_PARTITIONS: number = 1;
  @IsInt() @Min(1) @Max(1000) REFERRALS_PARTITIONS: number = 6;
  /** Replicas of each topic this service creates: 1 for a single broker, 3 on a cluster (then
   * also min.insync.replicas=2). */
  @IsInt() @Min(1) @Max(5) TOPIC_REPLICATION_FACTOR: number = 1;
  /** How long movements.v1 and referrals.v1 keep a message (ms; default 7 days), set on the topics
   * at start; agreements.v1 keeps every decision (docs/operations.md#topic-retention). Every
   * service of a region must say the same, or each start sets its own. */
  @IsInt() @Min(60_000) MOVEMENTS_RETENTION_MS: number = 7 * DAY_MS;
  @IsInt() @Min(60_000) REFERRALS_RETENTION_MS: number = 7 * DAY_MS;
  /** Put before every topic name, e.g. `test-42.` gives `test-42.movements.v1`. Empty in production. */
  @IsOptional() @Matches(/^[\w.-]*$/) TOPIC_PREFIX: string = '';

  /** 500 rather than 2000: the same forwarding rate with the node's heap settings (start.sh) and
   * about 35 MiB less resident, a round holding a quarter of the rows (docs/benchmark.md). */
  @IsInt() @Min(1) @Max(10000) OUTBOX_BATCH_SIZE: number = 500;
  @IsInt() @Min(10) OUTBOX_IDLE_MS: number = 200;
  /** How movement events are signed (docs/signing.md): 1, one Ed25519 signature per event
   * (schemaVersion 1); 2, one signature over the Merkle root of each append, each event carrying its
   * inclusion proof (schemaVersion 2, which an aggregator must know before a node sends it). */
  @IsInt() @IsIn([1, 2]) NODE_SIGNATURE_VERSION: number = 1;
  @IsInt() @Min(1024) BODY_LIMIT_BYTES: number = 16 * 1024 * 1024;
  /** Requests one caller (API key, else principal header, else address) may make per window;
   * health and readiness are exempt. Generous: tests, the demo and the benchmark stay far below. */
  @IsInt() @Min(1) RATE_LIMIT_MAX: number = 3000;
  @IsInt() @Min(100) @Max(3_600_000) RATE_LIMIT_WINDOW_MS: number = 60_000;
  @IsInt() @Min(1) @Max(100) PG_POOL_SIZE: number = 10;
}

export const NODE_CONFIG = Symbol('NODE_CONFIG');
export const movementsTopic = (c: NodeConfig) => topicName(TOPICS.movements, c.TOPIC_PREFIX);
export const agreementsTopic = (c: NodeConfig) => topicName(TOPICS.agreements, c.TOPIC_PREFIX);
export const referralsTopic = (c: NodeConfig) => topicName(TOPICS.referrals, c.TOPIC_PREFIX);
export const MAX_BATCH = 5000;
