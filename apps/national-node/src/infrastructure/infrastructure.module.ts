import { assertMigrated, locateMigrations, prepareDatabase, resolveDatabaseUrl } from '@caravanserai/database';
import { EnvelopeSigner } from '@caravanserai/crypto';
import { OutboxForwarder, PgEventStore } from '@caravanserai/event-store';
import { BrokerProbe, createKafka, ensureTopics, RetentionSettings, topicRetention } from '@caravanserai/messaging';
import { splitList } from '@caravanserai/platform';
import { Global, Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { agreementsTopic, movementsTopic, NODE_CONFIG, NodeConfig, referralsTopic } from '../config/node.config';
import { EventIds } from './event-ids';
import { CommandPipeline } from './command-pipeline';
import { RecordIntake } from './record-intake';
import { CLOCK, Clock, ID_GENERATOR, KAFKA, PG_POOL } from './tokens';

/** The node's topics' retention (the alerts topic is the aggregator's). */
const retention = (c: NodeConfig): RetentionSettings => ({ movementsMs: c.MOVEMENTS_RETENTION_MS, referralsMs: c.REFERRALS_RETENTION_MS, alertsMs: 0 });

const HOW_TO_MIGRATE = 'npm run migrate -- --service node';
const nodeDatabaseUrl = (config: Pick<NodeConfig, 'DATABASE_URL' | 'NODE_STATE'>) =>
  resolveDatabaseUrl({ ...process.env, DATABASE_URL: config.DATABASE_URL }, `caravanserai_node_${config.NODE_STATE.toLowerCase()}`);

/** DATABASE_AUTO_MIGRATE=false: throws, in one line, unless the schema is at the latest migration
 * (main.ts calls it before Nest starts, so the reason is not buried in a stack trace). */
export async function assertNodeSchema(config: Pick<NodeConfig, 'DATABASE_URL' | 'NODE_STATE'>): Promise<void> {
  await assertMigrated(nodeDatabaseUrl(config), locateMigrations('national-node', process.env.MIGRATIONS_DIR), HOW_TO_MIGRATE);
}

/** The node's own database, created if missing and migrated before anything uses it; with
 * DATABASE_AUTO_MIGRATE=false only checked to be at the latest migration (`npm run migrate`). */
export async function openNodeDatabase(config: NodeConfig): Promise<Pool> {
  const logger = new Logger('Database');
  const url = nodeDatabaseUrl(config);
  const applied = await prepareDatabase(url, locateMigrations('national-node', process.env.MIGRATIONS_DIR), {
    autoMigrate: config.DATABASE_AUTO_MIGRATE,
    howToMigrate: HOW_TO_MIGRATE,
  });
  if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);
  const pool = new Pool({ connectionString: url, max: config.PG_POOL_SIZE });
  // An idle client's error (e.g. the server restarted) must not crash the process.
  pool.on('error', (e) => logger.warn(`idle connection lost: ${e.message}`));
  return pool;
}

@Global()
@Module({
  providers: [
    { provide: PG_POOL, inject: [NODE_CONFIG], useFactory: openNodeDatabase },
    {
      provide: KAFKA,
      inject: [NODE_CONFIG],
      useFactory: (c: NodeConfig) => createKafka(`caravanserai-node-${c.NODE_STATE.toLowerCase()}`, splitList(c.KAFKA_BROKERS)),
    },
    { provide: BrokerProbe, inject: [NODE_CONFIG], useFactory: (c: NodeConfig) => new BrokerProbe(splitList(c.KAFKA_BROKERS)) },
    { provide: CLOCK, useValue: { now: () => new Date() } satisfies Clock },
    { provide: ID_GENERATOR, useValue: () => uuidv7() },
    { provide: EventIds, inject: [PG_POOL], useFactory: (pool: Pool) => EventIds.load(pool) },
    CommandPipeline,
    RecordIntake,
    {
      provide: PgEventStore,
      inject: [PG_POOL, NODE_CONFIG],
      useFactory: (pool: Pool, c: NodeConfig) =>
        new PgEventStore(
          pool,
          EnvelopeSigner.fromFile(c.NODE_SIGNING_KEY_FILE, c.NODE_SIGNING_KEY_ID),
          new Set(c.NODE_SIGNATURE_VERSION === 2 ? [movementsTopic(c)] : []),
        ),
    },
    {
      provide: OutboxForwarder,
      inject: [PG_POOL, KAFKA, NODE_CONFIG],
      useFactory: (pool: Pool, kafka: Kafka, c: NodeConfig) =>
        new OutboxForwarder(pool, kafka, {
          batchSize: c.OUTBOX_BATCH_SIZE,
          idleMs: c.OUTBOX_IDLE_MS,
          beforeFirstPublish: async () => {
            const admin = kafka.admin();
            await admin.connect();
            try {
              await ensureTopics(
                admin,
                [
                  { topic: movementsTopic(c), numPartitions: c.MOVEMENTS_PARTITIONS, config: topicRetention('movements', retention(c)) },
                  { topic: agreementsTopic(c), numPartitions: c.AGREEMENTS_PARTITIONS, config: topicRetention('agreements', retention(c)) },
                  { topic: referralsTopic(c), numPartitions: c.REFERRALS_PARTITIONS, config: topicRetention('referrals', retention(c)) },
                ],
                c.TOPIC_REPLICATION_FACTOR,
              );
            } finally {
              await admin.disconnect();
            }
          },
        }),
    },
  ],
  exports: [PG_POOL, KAFKA, BrokerProbe, CLOCK, ID_GENERATOR, EventIds, PgEventStore, OutboxForwarder, CommandPipeline, RecordIntake],
})
export class InfrastructureModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly forwarder: OutboxForwarder,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: the node accepts records while Kafka is away; the outbox holds them.
    this.forwarder.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.forwarder.stop();
    await this.pool.end();
  }
}
