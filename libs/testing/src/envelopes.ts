import {
  AgreementAmended,
  AgreementGranted,
  AgreementRevoked,
  agreementStreamId,
  AgreementTerms,
  EmergencyTermsActivated,
  MovementRecorded,
  MovementRecordedData,
  MovementRetracted,
  movementStreamId,
  ReferralEvent,
  ReferralMadeData,
  referralStreamId,
} from '@caravanserai/contracts';
import { v7 as uuidv7 } from 'uuid';

/** A valid MovementRecorded as a node would publish it. */
export function movementRecorded(over: { provider?: string; occurredOn?: string; data?: Partial<MovementRecordedData> } = {}): MovementRecorded {
  const eventId = uuidv7();
  return {
    eventId,
    type: 'MovementRecorded',
    schemaVersion: 1,
    provider: over.provider ?? 'IR',
    streamId: movementStreamId(eventId),
    streamVersion: 1,
    occurredOn: over.occurredOn ?? '2026-03-02',
    recordedAt: new Date().toISOString(),
    data: {
      direction: 'entry',
      borderCrossingPoint: 'IR-DOGHAROUN',
      citizenship: 'AF',
      departedFrom: 'AF',
      intendedDestination: 'TR',
      category: 'irregular_migrant',
      sex: 'male',
      ageBand: '18-59',
      specificNeeds: [],
      ...over.data,
    },
  };
}

export function movementRetracted(of: MovementRecorded): MovementRetracted {
  return {
    ...of,
    eventId: uuidv7(),
    type: 'MovementRetracted',
    streamVersion: 2,
    recordedAt: new Date().toISOString(),
    data: { movementEventId: of.eventId, reason: 'wrong_record' },
  };
}

/** A valid AgreementGranted as a node would publish it; terms default to a broad monthly grant
 * to the secretariat with k = 1. */
export function agreementGranted(provider: string, terms: Partial<AgreementTerms> = {}): AgreementGranted {
  const agreementId = uuidv7();
  return {
    eventId: uuidv7(),
    type: 'AgreementGranted',
    // Version 2 carries the emergency term (agreementSchemaVersion).
    schemaVersion: terms.emergency !== undefined ? 2 : 1,
    provider,
    streamId: agreementStreamId(agreementId),
    streamVersion: 1,
    occurredOn: new Date().toISOString().slice(0, 10),
    recordedAt: new Date().toISOString(),
    data: {
      agreementId,
      recipient: 'secretariat',
      scope: { eventKinds: ['movements'] },
      dimensions: ['route', 'provider', 'category', 'direction', 'sex', 'ageBand', 'citizenship', 'borderCrossingPoint'],
      minTimeGranularity: 'day',
      minGeoGranularity: 'border_crossing_point',
      minCellSize: 1,
      embargoDays: 0,
      validFrom: '2020-01-01',
      validUntil: null,
      dataFrom: null,
      dataUntil: null,
      purpose: 'test',
      ...terms,
    },
  };
}

export function agreementRevoked(grant: AgreementGranted, version = 2): AgreementRevoked {
  return {
    ...grant,
    eventId: uuidv7(),
    type: 'AgreementRevoked',
    schemaVersion: 1,
    streamVersion: version,
    recordedAt: new Date().toISOString(),
    data: { agreementId: grant.data.agreementId, reason: 'test revocation' },
  };
}

export function agreementAmended(grant: AgreementGranted, changes: AgreementAmended['data']['changes'], version = 2): AgreementAmended {
  return {
    ...grant,
    eventId: uuidv7(),
    type: 'AgreementAmended',
    schemaVersion: changes.emergency !== undefined ? 2 : 1,
    streamVersion: version,
    recordedAt: new Date().toISOString(),
    data: { agreementId: grant.data.agreementId, changes },
  };
}

/** An EmergencyTermsActivated as a node would publish it after the grant's `version` events. */
export function emergencyTermsActivated(grant: AgreementGranted, emergencyId: string, version = 2): EmergencyTermsActivated {
  return {
    ...grant,
    eventId: uuidv7(),
    type: 'EmergencyTermsActivated',
    schemaVersion: 1,
    streamVersion: version,
    recordedAt: new Date().toISOString(),
    data: { agreementId: grant.data.agreementId, emergencyId, reason: 'test activation' },
  };
}

export type LifecycleStep = 'made' | 'acknowledged' | 'accepted' | 'declined' | 'closed';

/**
 * The events of one referral's lifecycle as a node would publish them, one step after another
 * (`hoursBetween` apart, default 5), in stream order. The caller chooses the steps; nothing here
 * checks that they are legal.
 */
export function referralLifecycle(
  steps: LifecycleStep[],
  over: { provider?: string; referredAt?: string; hoursBetween?: number[]; data?: Partial<ReferralMadeData> } = {},
): ReferralEvent[] {
  const referralId = uuidv7();
  const provider = over.provider ?? 'IR';
  let at = new Date(over.referredAt ?? '2026-03-02T08:00:00Z');
  const hour = (d: Date) => d.toISOString().replace('.000Z', 'Z');
  return steps.map((step, i) => {
    if (i > 0) at = new Date(at.getTime() + (over.hoursBetween?.[i - 1] ?? 5) * 3_600_000);
    const envelope = {
      eventId: uuidv7(),
      schemaVersion: 1 as const,
      provider,
      streamId: referralStreamId(referralId),
      streamVersion: i + 1,
      occurredOn: hour(at).slice(0, 10),
      recordedAt: new Date().toISOString(),
    };
    switch (step) {
      case 'made':
        return {
          ...envelope,
          type: 'ReferralMade',
          data: {
            referralId,
            category: 'unaccompanied_child',
            specificNeeds: ['unaccompanied_or_separated_child'],
            sex: 'male',
            ageBand: '12-17',
            borderCrossingPoint: provider === 'IR' ? 'IR-DOGHAROUN' : null,
            province: provider === 'IR' ? null : `${provider}-01`,
            referredTo: 'child_protection',
            movementEventId: null,
            referredAt: hour(at),
            ...over.data,
          },
        };
      case 'acknowledged':
        return { ...envelope, type: 'ReferralAcknowledged', data: { referralId, acknowledgedAt: hour(at) } };
      case 'accepted':
        return { ...envelope, type: 'ReferralAccepted', data: { referralId, acceptedAt: hour(at) } };
      case 'declined':
        return { ...envelope, type: 'ReferralDeclined', data: { referralId, declinedAt: hour(at), reason: 'no_capacity' } };
      case 'closed':
        return { ...envelope, type: 'ReferralClosed', data: { referralId, closedAt: hour(at), outcome: 'services_provided' } };
    }
  });
}
