import { inTransaction } from '@caravanserai/database';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { EmergencyActivation, EmergencyContext } from '../../disclosure/domain/emergency';
import type { EmergencyContexts } from '../../disclosure/domain/emergency-contexts.port';
import { PG_POOL } from '../../infrastructure/tokens';
import { SecretariatLog, type SecretariatEvent, type UnsignedSecretariatEvent } from '../../kernel/ports/secretariat-log';
import {
  Emergency,
  EMERGENCY_EVENT_TYPES,
  EMERGENCY_TERMS_AUTO_ACTIVATED,
  EmergencyTermsAutoActivatedData,
  emergencyStreamId,
  evolve,
} from '../domain/emergency.decider';

const fold = (events: SecretariatEvent[]) => events.reduce<Emergency | null>(evolve, null);

/**
 * Emergencies as the aggregator's signed log holds them, and the activations of states' emergency
 * terms (table emergency_activations: the states' own, taken in from agreements.v1, and the
 * aggregator's on a critical surge, recorded here with their event). Read at every question asked
 * under an emergency, so that an end or an activation applies to the very next one.
 */
@Injectable()
export class PgEmergencies implements EmergencyContexts {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly log: SecretariatLog,
  ) {}

  async get(id: string): Promise<Emergency | null> {
    return fold(await this.log.stream(emergencyStreamId(id)));
  }

  /** Every emergency ever declared, oldest first. */
  async all(): Promise<Emergency[]> {
    const byStream = new Map<string, SecretariatEvent[]>();
    for (const e of await this.log.ofTypes(EMERGENCY_EVENT_TYPES)) {
      if (!e.streamId.startsWith('emergency-')) continue;
      byStream.set(e.streamId, [...(byStream.get(e.streamId) ?? []), e]);
    }
    return [...byStream.values()].map(fold).filter((e): e is Emergency => e !== null);
  }

  async activations(emergencyIds: string[]): Promise<EmergencyActivation[]> {
    if (emergencyIds.length === 0) return [];
    const { rows } = await this.pool.query(
      `SELECT agreement_id, emergency_id, provider, activated_by, alert_id, activated_at FROM emergency_activations
        WHERE emergency_id = ANY($1::uuid[]) ORDER BY activated_at, agreement_id`,
      [emergencyIds],
    );
    return rows.map((r) => ({
      agreementId: r.agreement_id,
      emergencyId: r.emergency_id,
      provider: r.provider.trim(),
      by: r.activated_by,
      alertId: r.alert_id,
      activatedAt: new Date(r.activated_at).toISOString(),
    }));
  }

  /** What an answer under the emergency needs, at `now`; null when none was declared with that id. */
  async context(id: string, now: Date): Promise<(EmergencyContext & { record: Emergency }) | null> {
    const [record, activations] = await Promise.all([this.get(id), this.activations([id])]);
    return record && { emergency: record, activations, now: now.toISOString(), record };
  }

  /** Appends the decided events; an automatic activation's row goes in the same transaction. */
  async record(events: UnsignedSecretariatEvent[]): Promise<SecretariatEvent[]> {
    return inTransaction(this.pool, async (client) => {
      const stored = await this.log.append(events, client);
      for (const e of stored.filter((s) => s.type === EMERGENCY_TERMS_AUTO_ACTIVATED)) {
        const d = e.data as unknown as EmergencyTermsAutoActivatedData;
        await client.query(
          `INSERT INTO emergency_activations (agreement_id, emergency_id, provider, activated_by, alert_id, activated_at)
           VALUES ($1, $2, $3, 'critical-surge', $4, $5) ON CONFLICT DO NOTHING`,
          [d.agreementId, d.emergencyId, d.provider, d.alertId, e.recordedAt],
        );
      }
      return stored;
    });
  }
}
