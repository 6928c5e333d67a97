import { assertTestDatabase, dropTestDatabase, ensureDatabase } from '@caravanserai/database';
import { randomBytes } from 'node:crypto';

/** Where tests find PostgreSQL and Kafka; the same defaults as the services. */
export const TEST_PG_BASE = process.env.TEST_PG_BASE ?? 'postgres://postgres@127.0.0.1:5432';
export const TEST_KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/**
 * The first of a block of 50 ports for a test's services: drawn in 20000-28999, below Linux's
 * ephemeral range and clear of the services this machine runs (PostgreSQL 5432, NATS 4222,
 * RabbitMQ 5672, MariaDB 3306, Kafka 9092-9099...), which a draw among the 3000s-5000s could hit.
 */
export const portBlock = (): number => 20_000 + 50 * Math.floor(Math.random() * 180);

export const uniqueSuffix = (): string => `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

/** A new, empty database whose name marks it as a test database, on `base` (default: TEST_PG_BASE). */
export async function freshTestDatabase(purpose: string, base: string = TEST_PG_BASE): Promise<string> {
  const name = `test_${purpose}_${uniqueSuffix()}`.toLowerCase();
  assertTestDatabase(name);
  const url = `${base}/${name}`;
  await ensureDatabase(url);
  return url;
}

export { dropTestDatabase };
