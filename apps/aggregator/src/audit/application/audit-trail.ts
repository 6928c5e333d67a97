import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { DisclosureReport } from '../../disclosure/domain/disclosure-report';
import { declaredPurpose, PURPOSE_HEADER } from '../../answers/purpose';
import type { AuditedDisclosure, AuditTrail, SharedUnderTerms } from '../../kernel/ports/audit-trail';
import { AuditCall, answerEntry, listingEntry } from '../domain/audit-entry';
import { AuditLog } from '../domain/audit-log.port';
import { aboutEntryView } from '../domain/audit-view';

/**
 * Records every answered query, in the request path and before the answer leaves: when the
 * record cannot be written the call fails (500) and the caller sees nothing, so no look at the
 * data goes unaudited. Endpoints call it once, after computing the answer and before returning it.
 */
@Injectable()
export class AuditLogTrail implements AuditTrail {
  constructor(private readonly log: AuditLog) {}

  /** An answer under agreements, with its `disclosure` block. */
  async answered(request: FastifyRequest, principal: string, query: object, answer: { rows: unknown[]; disclosure: DisclosureReport }): Promise<void> {
    await this.log.append(answerEntry(this.call(request, principal, query), answer));
  }

  /** A listing (agreements, nodes, quarantine, alerts, the trail itself): how many items, whose. */
  async listed(request: FastifyRequest, principal: string, query: object, items: number, providers: Iterable<string> = []): Promise<void> {
    await this.log.append(listingEntry(this.call(request, principal, query), items, providers));
  }

  /**
   * An item computed for a recipient's feed (docs/integrators.md): a disclosure like a REST
   * answer, recorded the same way before the item is stored, with the endpoint `FEED <kind>` and
   * the purpose `feed`, so that a state's list of who saw its data includes the feeds.
   */
  async fed(principal: string, kind: string, query: object, what: AuditedDisclosure): Promise<void> {
    const call: AuditCall = { principal, endpoint: `FEED ${kind}`, query, purpose: 'feed' };
    await this.log.append('answer' in what ? answerEntry(call, what.answer) : listingEntry(call, what.items, what.providers));
  }

  /** The declared purpose, checked; call it before the work to refuse a bad one early. */
  purpose(request: FastifyRequest): string | null {
    return declaredPurpose(request.headers[PURPOSE_HEADER], (request.query as Record<string, unknown> | undefined)?.purpose);
  }

  /** The entries with a part cut to `emergencyId`'s terms, reduced as a state may see them (the
   * secretariat: every state's terms), without those that had none of its own. */
  async sharedUnderEmergency(
    emergencyId: string,
    { principal, state }: { principal: string; state: string | null },
    page: { before?: number; limit: number },
  ): Promise<{ entries: SharedUnderTerms[]; next: number | null }> {
    const stored = await this.log.list({
      scope: state ? { kind: 'about', state, principal } : { kind: 'all' },
      emergency: emergencyId,
      before: page.before,
      limit: page.limit,
    });
    const underTerms = (a: { emergency?: { id: string } }) => a.emergency?.id === emergencyId;
    const entries = stored
      .map((e) => {
        const reduced = state ? aboutEntryView(e, state) : aboutEntryView(e, '');
        const agreements = (state ? reduced.agreements : e.agreements).filter(underTerms);
        return { id: reduced.id, at: reduced.at, principal: reduced.principal, endpoint: reduced.endpoint, purpose: reduced.purpose, agreements };
      })
      .filter((e) => e.agreements.length > 0);
    return { entries, next: stored.length === page.limit ? stored[stored.length - 1].id : null };
  }

  private call(request: FastifyRequest, principal: string, query: object): AuditCall {
    return { principal, endpoint: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`, query, purpose: this.purpose(request) };
  }
}
