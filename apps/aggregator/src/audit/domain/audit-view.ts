import type { AgreementParties } from '../../kernel/ports/agreement-parties';

/**
 * What a reader of the audit trail may see of an entry (pure). The trail records every query with
 * the agreements applied and what came back; shown as stored, it would tell one state another's
 * agreement terms and the size of others' answers (issue 13). So:
 * - a reader sees its own queries, each with only the terms of agreements it is party to (as the
 *   providing state, or as the recipient, `*` included) and its own state's data (`own-data`);
 * - a state asking `about=mine` sees the others' queries that concerned its data, reduced to when,
 *   who, which endpoint and why, with its own agreements' terms (and its own exclusions) only: no
 *   parameters, no cell counts, no other provider;
 * - the aggregator's admin sees every entry as stored.
 */

/** Who a reader is: its principal and, for a state, its code. */
export interface AuditViewer {
  principal: string;
  state: string | null;
}

export type { AgreementParties };

interface AgreementRef {
  provider: string;
  agreement: string;
}

interface EntryWithAgreements {
  agreements: AgreementRef[];
  excluded: AgreementRef[];
}

export interface ReducedAuditEntry<A extends AgreementRef = AgreementRef, X extends AgreementRef = AgreementRef> {
  id: number;
  at: string;
  principal: string;
  endpoint: string;
  purpose: string | null;
  agreements: A[];
  excluded: X[];
}

const OWN_DATA = 'own-data';

/** Whether `viewer` is party to the agreement an entry names; an agreement the registry does not know is nobody's. */
export function partyTo(viewer: AuditViewer, ref: AgreementRef, registry: ReadonlyMap<string, AgreementParties>): boolean {
  if (ref.agreement === OWN_DATA) return viewer.state !== null && ref.provider === viewer.state;
  const parties = registry.get(ref.agreement);
  if (!parties) return false;
  return (viewer.state !== null && parties.provider === viewer.state) || parties.recipient === viewer.principal || parties.recipient === '*';
}

/** One of the viewer's own queries, with only the agreements it is party to. */
export function ownEntryView<E extends EntryWithAgreements>(entry: E, viewer: AuditViewer, registry: ReadonlyMap<string, AgreementParties>): E {
  return {
    ...entry,
    agreements: entry.agreements.filter((a) => partyTo(viewer, a, registry)),
    excluded: entry.excluded.filter((x) => partyTo(viewer, x, registry)),
  };
}

/** Another caller's query that concerned `state`'s data, reduced to what the state may know of it. */
export function aboutEntryView<A extends AgreementRef, X extends AgreementRef>(
  entry: { id: number; at: string; principal: string; endpoint: string; purpose: string | null; agreements: A[]; excluded: X[] },
  state: string,
): ReducedAuditEntry<A, X> {
  return {
    id: entry.id,
    at: entry.at,
    principal: entry.principal,
    endpoint: entry.endpoint,
    purpose: entry.purpose,
    agreements: entry.agreements.filter((a) => a.provider === state && a.agreement !== OWN_DATA),
    excluded: entry.excluded.filter((x) => x.provider === state),
  };
}
