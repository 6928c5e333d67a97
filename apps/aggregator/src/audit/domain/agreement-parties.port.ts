import type { AgreementParties } from './audit-view';

/** Who is party to each agreement (its provider and recipient), for a caller's own view of the
 * trail. The audit context states the need; the agreements context, which keeps the registry,
 * provides it (AgreementsModule), so the audit trail every context writes to imports none of them. */
export abstract class AgreementPartiesSource {
  abstract parties(): Promise<Map<string, AgreementParties>>;
}
