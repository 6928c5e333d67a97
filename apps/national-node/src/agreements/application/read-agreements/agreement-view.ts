import type { AgreementTerms, EventEnvelope } from '@caravanserai/contracts';
import { evolve, initialAgreementState } from '../../domain/agreement.decider';

/** One agreement as the node shows it: its current terms and status, and every decision on it. */
export interface AgreementView {
  agreementId: string;
  provider: string;
  status: 'active' | 'revoked';
  version: number;
  grantedOn: string;
  revokedOn: string | null;
  revocationReason: string | null;
  terms: AgreementTerms;
  history: Pick<EventEnvelope, 'eventId' | 'type' | 'streamVersion' | 'occurredOn' | 'recordedAt' | 'data'>[];
}

/** Folds a stream into its view; null for an empty stream. */
export function toAgreementView(history: EventEnvelope[]): AgreementView | null {
  const state = history.reduce(evolve, initialAgreementState);
  if (state.status === 'none') return null;
  return {
    agreementId: state.agreementId,
    provider: history[0].provider,
    status: state.status,
    version: state.version,
    grantedOn: state.grantedOn,
    revokedOn: state.status === 'revoked' ? state.revokedOn : null,
    revocationReason: state.status === 'revoked' ? state.reason : null,
    terms: state.terms,
    history: history.map(({ eventId, type, streamVersion, occurredOn, recordedAt, data }) => ({
      eventId,
      type,
      streamVersion,
      occurredOn,
      recordedAt,
      data,
    })),
  };
}
