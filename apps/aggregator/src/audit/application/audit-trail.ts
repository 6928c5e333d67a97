import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { DisclosureReport } from '../../disclosure/domain/disclosure-report';
import { AuditCall, answerEntry, listingEntry } from '../domain/audit-entry';
import { declaredPurpose, PURPOSE_HEADER } from '../../answers/purpose';
import { AuditLog } from '../domain/audit-log.port';

/**
 * Records every answered query, in the request path and before the answer leaves: when the
 * record cannot be written the call fails (500) and the caller sees nothing, so no look at the
 * data goes unaudited. Endpoints call it once, after computing the answer and before returning it.
 */
@Injectable()
export class AuditTrail {
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
  async fed(
    principal: string,
    kind: string,
    query: object,
    what: { answer: { rows: unknown[]; disclosure: DisclosureReport } } | { items: number; providers: Iterable<string> },
  ): Promise<void> {
    const call: AuditCall = { principal, endpoint: `FEED ${kind}`, query, purpose: 'feed' };
    await this.log.append('answer' in what ? answerEntry(call, what.answer) : listingEntry(call, what.items, what.providers));
  }

  /** The declared purpose, checked; call it before the work to refuse a bad one early. */
  purpose(request: FastifyRequest): string | null {
    return declaredPurpose(request.headers[PURPOSE_HEADER], (request.query as Record<string, unknown> | undefined)?.purpose);
  }

  private call(request: FastifyRequest, principal: string, query: object): AuditCall {
    return { principal, endpoint: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`, query, purpose: this.purpose(request) };
  }
}
