import type { EnvelopeVerifier } from '@caravanserai/crypto';
import {
  AGREEMENT_AMENDED,
  AGREEMENT_GRANTED,
  AGREEMENT_REVOKED,
  AgreementAmended,
  AgreementEvent,
  AgreementRevoked,
  checkAgreementTerms,
  EmergencyTermsActivated,
  EMERGENCY_TERMS_ACTIVATED,
  MessageBody,
  parseAgreementEvent,
  ParseResult,
} from '@caravanserai/contracts';
import type { Pool, PoolClient } from 'pg';
import { Checked, IngestPipeline, IngestTopic, Taken } from '../../infrastructure/ingest-pipeline';
import { PoolingRelease } from '../../infrastructure/pooling-release';

interface Row {
  provider: string;
  recipient: string;
  terms: Record<string, unknown>;
  status: 'active' | 'revoked';
  version: number;
}

/** An agreement event refused with the reason, or its write into the registry, done once the
 * regional log has taken the event. */
type Decision = { refused: string } | { write: (client: PoolClient) => Promise<void> };

type Decide<E extends AgreementEvent> = (client: PoolClient, event: E, pooling: PoolingRelease) => Promise<Decision>;

/**
 * One case per agreement event type, each deciding on the registry as the event before left it
 * (rows read under FOR UPDATE). A new event type is one more entry here: the map's type does not
 * compile until every type of AgreementEvent has its case.
 */
const AGREEMENT_EVENTS: { [T in AgreementEvent['type']]: Decide<Extract<AgreementEvent, { type: T }>> } = {
  [AGREEMENT_GRANTED]: async (client, event, pooling) => {
    const { agreementId, recipient, ...terms } = event.data;
    if (await lockAgreement(client, agreementId)) return { refused: `agreement ${agreementId} is already granted` };
    return {
      write: async (c) => {
        await c.query(
          `INSERT INTO agreements (agreement_id, provider, recipient, terms, status, version, granted_at, updated_at)
           VALUES ($1, $2, $3, $4, 'active', $5, $6, $6)`,
          [agreementId, event.provider, recipient, JSON.stringify(terms), event.streamVersion, event.recordedAt],
        );
        // The provider's first grant pools its data: what it sent before is projected now.
        await pooling.pool(c, event.provider);
      },
    };
  },
  [AGREEMENT_AMENDED]: async (client, event) => {
    const current = await lockAgreement(client, event.data.agreementId);
    const refused = refuseChange(event, current);
    if (refused) return { refused };
    // The node checks amended terms as a whole; an amendment that breaks them is not trusted.
    const amended = { ...current!.terms, ...event.data.changes };
    const problems = checkAgreementTerms({ recipient: current!.recipient, ...amended } as never);
    if (problems.length > 0) return { refused: `amendment leads to invalid terms: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}` };
    return {
      write: async (c) => {
        await c.query('UPDATE agreements SET terms = $2, version = $3, updated_at = $4 WHERE agreement_id = $1', [
          event.data.agreementId,
          JSON.stringify(amended),
          event.streamVersion,
          event.recordedAt,
        ]);
      },
    };
  },
  [AGREEMENT_REVOKED]: async (client, event) => {
    const refused = refuseChange(event, await lockAgreement(client, event.data.agreementId));
    if (refused) return { refused };
    return {
      write: async (c) => {
        await c.query(
          `UPDATE agreements SET status = 'revoked', version = $2, updated_at = $3, revoked_at = $3, revocation_reason = $4 WHERE agreement_id = $1`,
          [event.data.agreementId, event.streamVersion, event.recordedAt, event.data.reason],
        );
      },
    };
  },
  [EMERGENCY_TERMS_ACTIVATED]: async (client, event) => {
    const current = await lockAgreement(client, event.data.agreementId);
    const refused = refuseChange(event, current);
    if (refused) return { refused };
    if (!current!.terms.emergency) return { refused: `${event.type} of agreement ${event.data.agreementId}, which has no emergency terms` };
    return {
      write: async (c) => {
        await c.query('UPDATE agreements SET version = $2, updated_at = $3 WHERE agreement_id = $1', [
          event.data.agreementId,
          event.streamVersion,
          event.recordedAt,
        ]);
        // In effect from when the aggregator takes it in (a node's clock says nothing here), for
        // the emergency named, if it is in force and covers this state (disclosure/domain/emergency.ts).
        await c.query(
          `INSERT INTO emergency_activations (agreement_id, emergency_id, provider, activated_by, alert_id, activated_at)
           VALUES ($1, $2, $3, 'at-node', NULL, now()) ON CONFLICT DO NOTHING`,
          [event.data.agreementId, event.data.emergencyId, event.provider],
        );
      },
    };
  },
};

/** The agreement as the registry holds it, locked for the transaction; undefined if unknown. */
async function lockAgreement(client: PoolClient, id: string): Promise<Row | undefined> {
  const { rows } = await client.query<Row>('SELECT provider, recipient, terms, status, version FROM agreements WHERE agreement_id = $1 FOR UPDATE', [id]);
  return rows[0];
}

/** A change (amendment, revocation, activation of emergency terms) applies to a known, unrevoked agreement of its own provider, at the next version. */
function refuseChange(event: AgreementAmended | AgreementRevoked | EmergencyTermsActivated, current: Row | undefined): string | null {
  const id = event.data.agreementId;
  if (!current) return `${event.type} of unknown agreement ${id}`;
  if (current.provider !== event.provider) return `${event.type} by ${event.provider} of an agreement of ${current.provider}`;
  if (current.status === 'revoked') return `${event.type} of revoked agreement ${id}`;
  if (event.streamVersion !== current.version + 1) return `${event.type} at version ${event.streamVersion}, expected ${current.version + 1}`;
  return null;
}

/**
 * What is the agreements' own in their ingest: the registry (`agreements`) built from
 * `agreements.v1`, each event decided on the state the one before left, so the pipeline takes
 * them one at a time in stream order (the volume is a few events a month). Agreements are not
 * provider data: never held, and a provider's first grant pools its data (PoolingRelease).
 */
export class AgreementTopic implements IngestTopic<AgreementEvent, Map<string, Decision>> {
  readonly providerData = false;
  readonly oneAtATime = true;

  constructor(private readonly pooling: PoolingRelease) {}

  parse(raw: MessageBody): ParseResult<AgreementEvent> {
    return parseAgreementEvent(raw);
  }

  async check(client: PoolClient, events: AgreementEvent[]): Promise<Checked<Map<string, Decision>>> {
    const decisions = new Map<string, Decision>();
    for (const event of events) decisions.set(event.eventId, await (AGREEMENT_EVENTS[event.type] as Decide<AgreementEvent>)(client, event, this.pooling));
    return { refusals: events.map((e) => refusalOf(decisions.get(e.eventId)!)), plan: decisions };
  }

  async project(client: PoolClient, taken: Taken<AgreementEvent>[], decisions: Map<string, Decision>): Promise<void> {
    for (const { event } of taken) {
      const decision = decisions.get(event.eventId)!;
      if ('write' in decision) await decision.write(client);
    }
  }
}

const refusalOf = (d: Decision): string | null => ('refused' in d ? d.refused : null);

/** The agreements' ingest (`agreements.v1`): the ingest pipeline with the agreements' topic part. */
export class AgreementIngest extends IngestPipeline<AgreementEvent, Map<string, Decision>> {
  constructor(pool: Pool, consumerGroup: string, verifier: EnvelopeVerifier, pooling: PoolingRelease) {
    super(new AgreementTopic(pooling), pool, consumerGroup, verifier);
  }
}
