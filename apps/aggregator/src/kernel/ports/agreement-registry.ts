import type { ReleaseRef } from '../../disclosure/domain/disclosure-report';
import type { Grant } from '../../disclosure/domain/policy';

/** An agreement as GET /v1/agreements and the feeds' agreement items show it: its grant, when it
 * last changed, its revocation, and its events. */
export interface AgreementRecord extends Grant {
  updatedAt: string;
  revokedAt: string | null;
  revocationReason: string | null;
  history: { eventId: string; type: string; version: number; recordedAt: string; data: unknown }[];
}

/**
 * The agreement registry as the other contexts read it: every answer cuts to its grants, the feeds
 * list its agreements. The agreements context provides it (PgAgreementRegistry, AgreementsModule).
 */
export abstract class AgreementRegistry {
  /** Every grant, in registry order, read at each call (a revocation applies to the next one). */
  abstract grants(): Promise<Grant[]>;
  /** The grants and the latest release, read together, as an answer needs both first. `seen`: the
   * registry's change count as the request's key lookup read it (readWithKeyOf), if known: when it
   * is that of the last read, that read is still current and is returned without reading again. */
  abstract grantsWithRelease(seen?: unknown): Promise<{ grants: readonly Grant[]; release: ReleaseRef | null }>;
  /** Agreements with their history of events, for those of `providers` or naming `recipients`. */
  abstract list(filter: { providers?: string[]; recipients?: string[] } | 'all'): Promise<AgreementRecord[]>;
}
