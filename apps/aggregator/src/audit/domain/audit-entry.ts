import type { DisclosureReport } from '../../disclosure/domain/disclosure-report';

/** One line of the audit trail: who asked what, why, under which agreements, and what came back. */
export interface AuditEntry {
  principal: string;
  /** Method and route, e.g. `GET /v1/flows`. */
  endpoint: string;
  /** The normalised parameters the answer was computed from. */
  query: Record<string, unknown>;
  purpose: string | null;
  agreements: {
    provider: string;
    agreement: string;
    minCellSize: number;
    minTimeGranularity: string;
    embargoUntil: string | null;
    categories: unknown;
    /** The emergency whose terms this part was shared under (docs/emergencies.md), if any. */
    emergency?: { id: string; by: string; as: string };
  }[];
  /** States whose data the answer drew on, withheld, or was asked about. */
  providers: string[];
  cellsReturned: number;
  cellsSuppressed: number;
  totalsSuppressed: number;
  excluded: { provider: string; agreement: string; reason: string }[];
}

export interface AuditCall {
  principal: string;
  endpoint: string;
  query: object;
  purpose: string | null;
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

/** The parameters a caller named providers with, whatever the endpoint calls them. */
const askedProviders = (query: object): string[] => {
  const asked = (query as { providers?: unknown }).providers;
  return Array.isArray(asked) ? asked.filter((p): p is string => typeof p === 'string') : [];
};

/** What an entry takes from an answer's disclosure block alone, kept per block: a kept answer (the
 * flows' answer cache) comes back as the same object, so a repeated question's entry reuses it. The
 * parts are frozen, as entries share them (PgAuditLog also keeps their JSON by these arrays). */
const fromDisclosure = new WeakMap<DisclosureReport, Pick<AuditEntry, 'agreements' | 'providers' | 'excluded'>>();

function disclosed(d: DisclosureReport): Pick<AuditEntry, 'agreements' | 'providers' | 'excluded'> {
  let parts = fromDisclosure.get(d);
  if (!parts) {
    parts = {
      agreements: Object.freeze(
        d.agreements.map((a) =>
          Object.freeze({
            provider: a.provider,
            agreement: a.agreement,
            minCellSize: a.minCellSize,
            minTimeGranularity: a.minTimeGranularity,
            embargoUntil: a.dataUntil,
            categories: a.categories,
            ...(a.emergency ? { emergency: { id: a.emergency.id, by: a.emergency.by, as: a.emergency.as } } : {}),
          }),
        ),
      ) as AuditEntry['agreements'],
      providers: Object.freeze(sorted([...d.agreements.map((a) => a.provider), ...d.leftOut.map((l) => l.provider)])) as string[],
      excluded: Object.freeze(d.leftOut.map((l) => Object.freeze({ ...l }))) as AuditEntry['excluded'],
    };
    fromDisclosure.set(d, parts);
  }
  return parts;
}

/**
 * The entry of an answer built under agreements, from its `disclosure` block. Nothing is
 * suppressed any more (figures are protected by the cell-key method instead), so every row counts
 * as returned. A state asked about by name counts as concerned even when nothing of it could be shown.
 */
export function answerEntry(call: AuditCall, answer: { rows: unknown[]; disclosure: DisclosureReport }): AuditEntry {
  const { agreements, providers, excluded } = disclosed(answer.disclosure);
  const asked = askedProviders(call.query);
  return {
    ...call,
    query: { ...call.query },
    agreements,
    providers: asked.length === 0 ? providers : sorted([...providers, ...asked]),
    cellsReturned: answer.rows.length,
    cellsSuppressed: 0,
    totalsSuppressed: 0,
    excluded,
  };
}

/** The entry of an answer that is not a statistic under agreements (a list: agreements, node
 * status, quarantine, the audit trail itself): how many items it returned and whose they were. */
export function listingEntry(call: AuditCall, items: number, providers: Iterable<string> = []): AuditEntry {
  return {
    ...call,
    query: { ...call.query },
    agreements: [],
    providers: sorted([...providers, ...askedProviders(call.query)]),
    cellsReturned: items,
    cellsSuppressed: 0,
    totalsSuppressed: 0,
    excluded: [],
  };
}
