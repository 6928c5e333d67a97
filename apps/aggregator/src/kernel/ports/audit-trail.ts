import type { FastifyRequest } from 'fastify';
import type { DisclosureReport } from '../../disclosure/domain/disclosure-report';

/** What an audited answer or feed item drew on: an answer under agreements, or a listing. */
export type AuditedDisclosure = { answer: { rows: unknown[]; disclosure: DisclosureReport } } | { items: number; providers: Iterable<string> };

/** An entry of the trail with a part shared under an emergency's terms, as the emergency's list shows it. */
export interface SharedUnderTerms {
  id: number;
  at: string;
  principal: string;
  endpoint: string;
  purpose: string | null;
  agreements: { provider: string; agreement: string; emergency?: { id: string; by: string; as: string } }[];
}

/**
 * The audit trail as every answering context writes it (and the emergencies read what was shared
 * under their terms). Provided by the audit context (AuditModule); see audit/application/audit-trail.ts.
 */
export abstract class AuditTrail {
  /** An answer under agreements, with its `disclosure` block. */
  abstract answered(request: FastifyRequest, principal: string, query: object, answer: { rows: unknown[]; disclosure: DisclosureReport }): Promise<void>;
  /** A listing (agreements, nodes, quarantine, alerts, the trail itself): how many items, whose. */
  abstract listed(request: FastifyRequest, principal: string, query: object, items: number, providers?: Iterable<string>): Promise<void>;
  /** An item computed for a recipient's feed, recorded as `FEED <kind>` with the purpose `feed`. */
  abstract fed(principal: string, kind: string, query: object, what: AuditedDisclosure): Promise<void>;
  /** The declared purpose, checked; call it before the work to refuse a bad one early. */
  abstract purpose(request: FastifyRequest): string | null;
  /** What was shared under `emergencyId`'s terms, newest first: every state's for the secretariat
   * (`state` null), a state's own otherwise; `next` is the id to page on from, or null. */
  abstract sharedUnderEmergency(
    emergencyId: string,
    viewer: { principal: string; state: string | null },
    page: { before?: number; limit: number },
  ): Promise<{ entries: SharedUnderTerms[]; next: number | null }>;
}
