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

/** A new, empty database whose name marks it as a test database. */
export async function freshTestDatabase(purpose: string): Promise<string> {
  const name = `test_${purpose}_${uniqueSuffix()}`.toLowerCase();
  assertTestDatabase(name);
  const url = `${TEST_PG_BASE}/${name}`;
  await ensureDatabase(url);
  return url;
}

export { dropTestDatabase };

/** Polls `probe` until it returns a truthy value or the time is up; never a fixed sleep. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 30_000, intervalMs = 100, what = 'condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export * from './service-process';
export * from './envelopes';
export * from './keys';
export * from './secure-broker';
export * from './signing-keys';
export * from './prometheus-parser';
export * from './pg-roles';
export * from './openapi-checks';
export * from './openapi-responses';
