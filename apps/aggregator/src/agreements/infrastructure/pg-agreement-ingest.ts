import type { EnvelopeVerifier } from '@caravanserai/crypto';
import {
  AGREEMENT_AMENDED,
  AGREEMENT_GRANTED,
  AGREEMENT_REVOKED,
  AgreementEvent,
  checkAgreementTerms,
  EMERGENCY_TERMS_ACTIVATED,
  parseAgreementEvent,
  ParseResult,
} from '@caravanserai/contracts';
import { Logger } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { replayMovements } from '../../flows/application/rebuild-flows/rebuild-flows';
import { replayReferrals } from '../../referrals/application/rebuild-referrals/rebuild-referrals';
import { IncomingMessage, IngestResult, TransactionalIngest } from '../../infrastructure/batch-ingest.port';
import { quarantine, Rejected, storeOffsets } from '../../infrastructure/pg-ingest-support';

interface Row {
  provider: string;
  recipient: string;
  terms: Record<string, unknown>;
  status: 'active' | 'revoked';
  version: number;
}

/**
 * Builds the agreement registry from `agreements.v1`, one event at a time in stream order (the
 * volume is a few events a month). A provider's first grant pools its data: the events it sent
 * before, held in the regional log, are projected in the same transaction.
 */
export class AgreementIngest extends TransactionalIngest<AgreementEvent> {
  private readonly logger = new Logger('AgreementIngest');

  constructor(
    pool: Pool,
    protected readonly consumerGroup: string,
    verifier: EnvelopeVerifier,
  ) {
    super(pool, verifier);
  }

  protected parse(raw: Buffer | null): ParseResult<AgreementEvent> {
    return parseAgreementEvent(raw);
  }

  /** The checked batch into the store, inside the caller's transaction (the consumer's, or the quarantine replay's). */
  protected async applyWithin(
    client: PoolClient,
    messages: IncomingMessage[],
    checked: ParseResult<AgreementEvent>[],
    { recordOffsets }: { recordOffsets: boolean },
  ): Promise<IngestResult & { rejections: Rejected[] }> {
    const result: IngestResult = { received: messages.length, applied: 0, duplicates: 0, quarantined: 0 };
    const rejected: Rejected[] = [];
    for (const [i, message] of messages.entries()) {
      const parsed = checked[i];
      if (!parsed.ok) {
        rejected.push({ message, reason: parsed.reason });
        continue;
      }
      const outcome = await this.apply(client, parsed.event, message);
      if (outcome === 'applied') result.applied += 1;
      else if (outcome === 'duplicate') result.duplicates += 1;
      else rejected.push({ message, reason: outcome.reason });
    }
    await quarantine(client, rejected);
    if (recordOffsets) await storeOffsets(client, this.consumerGroup, messages);
    result.quarantined = rejected.length;
    return { ...result, rejections: rejected };
  }

  private async apply(client: PoolClient, event: AgreementEvent, message: IncomingMessage): Promise<'applied' | 'duplicate' | { reason: string }> {
    const { rows: seen } = await client.query('SELECT 1 FROM regional_events WHERE event_id = $1', [event.eventId]);
    if (seen.length > 0) return 'duplicate';
    const id = event.data.agreementId;
    const { rows } = await client.query<Row>('SELECT provider, recipient, terms, status, version FROM agreements WHERE agreement_id = $1 FOR UPDATE', [id]);
    const current = rows[0];

    if (event.type === AGREEMENT_GRANTED) {
      if (current) return { reason: `agreement ${id} is already granted` };
    } else {
      if (!current) return { reason: `${event.type} of unknown agreement ${id}` };
      if (current.provider !== event.provider) return { reason: `${event.type} by ${event.provider} of an agreement of ${current.provider}` };
      if (current.status === 'revoked') return { reason: `${event.type} of revoked agreement ${id}` };
      if (event.streamVersion !== current.version + 1) return { reason: `${event.type} at version ${event.streamVersion}, expected ${current.version + 1}` };
    }
    if (event.type === EMERGENCY_TERMS_ACTIVATED && !current!.terms.emergency) return { reason: `${event.type} of agreement ${id}, which has no emergency terms` };
    // The node checks amended terms as a whole; an amendment that breaks them is not trusted.
    const amended = event.type === AGREEMENT_AMENDED ? { ...current!.terms, ...event.data.changes } : null;
    if (amended) {
      const problems = checkAgreementTerms({ recipient: current!.recipient, ...amended } as never);
      if (problems.length > 0) return { reason: `amendment leads to invalid terms: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}` };
    }

    const inserted = await client.query(
      `INSERT INTO regional_events (event_id, type, schema_version, provider, stream_id, stream_version, occurred_on, recorded_at, data, topic, kafka_partition, kafka_offset, key_id, signature)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING`,
      [event.eventId, event.type, event.schemaVersion, event.provider, event.streamId, event.streamVersion, event.occurredOn, event.recordedAt, JSON.stringify(event.data), message.topic, message.partition, message.offset, event.keyId ?? null, event.signature ?? null],
    );
    if (inserted.rowCount === 0) return { reason: `stream position ${event.streamId}@${event.streamVersion} is taken by another event` };

    if (event.type === AGREEMENT_GRANTED) {
      const { agreementId, recipient, ...terms } = event.data;
      await client.query(
        `INSERT INTO agreements (agreement_id, provider, recipient, terms, status, version, granted_at, updated_at)
         VALUES ($1, $2, $3, $4, 'active', $5, $6, $6)`,
        [agreementId, event.provider, recipient, JSON.stringify(terms), event.streamVersion, event.recordedAt],
      );
      await this.poolProvider(client, event.provider);
    } else if (amended) {
      await client.query('UPDATE agreements SET terms = $2, version = $3, updated_at = $4 WHERE agreement_id = $1', [id, JSON.stringify(amended), event.streamVersion, event.recordedAt]);
    } else if (event.type === EMERGENCY_TERMS_ACTIVATED) {
      // In effect from when the aggregator takes it in (a node's clock says nothing here), for
      // the emergency named, if it is in force and covers this state (disclosure/domain/emergency.ts).
      await client.query('UPDATE agreements SET version = $2, updated_at = $3 WHERE agreement_id = $1', [id, event.streamVersion, event.recordedAt]);
      await client.query(
        `INSERT INTO emergency_activations (agreement_id, emergency_id, provider, activated_by, alert_id, activated_at)
         VALUES ($1, $2, $3, 'at-node', NULL, now()) ON CONFLICT DO NOTHING`,
        [id, event.data.emergencyId, event.provider],
      );
    } else if (event.type === AGREEMENT_REVOKED) {
      await client.query(
        `UPDATE agreements SET status = 'revoked', version = $2, updated_at = $3, revoked_at = $3, revocation_reason = $4 WHERE agreement_id = $1`,
        [id, event.streamVersion, event.recordedAt, event.data.reason],
      );
    }
    return 'applied';
  }

  /** The provider's first grant: mark it pooled and project what it sent before. */
  private async poolProvider(client: PoolClient, provider: string): Promise<void> {
    const { rowCount } = await client.query('UPDATE provider_pool SET pooled_at = now() WHERE provider = $1 AND pooled_at IS NULL', [provider]);
    if (!rowCount) return;
    const movements = await replayMovements(client, { provider });
    const referrals = await replayReferrals(client, { provider });
    this.logger.log(`${provider} pooled its data: ${movements.events} held movement and ${referrals.events} referral events projected`);
  }
}
