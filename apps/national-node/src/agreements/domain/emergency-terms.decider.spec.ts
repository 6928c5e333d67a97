import {
  AGREEMENT_AMENDED,
  AGREEMENT_GRANTED,
  agreementSchemaVersion,
  AgreementTerms,
  DomainError,
  EMERGENCY_TERMS_ACTIVATED,
  EmergencyTerms,
  EventEnvelope,
  ValidationFailed,
} from '@caravanserai/contracts';
import { AgreementCommand, AgreementDecision, decide, evolve, initialAgreementState } from './agreement.decider';

/** Emergency terms on the agreement stream (issue 17): granted and amended like any term, checked
 * against the grant (never coarser, never a longer embargo), and activated for one emergency. */
const agreementId = '01963c4e-0000-7000-8000-0000000000b1';
const emergencyId = '01963c4e-0000-7000-8000-0000000000e1';
const emergency: EmergencyTerms = {
  minTimeGranularity: 'day',
  minGeoGranularity: 'border_crossing_point',
  embargoDays: 0,
  dimensions: ['borderCrossingPoint', 'sex'],
  recipients: ['org:UNHCR', 'org:IOM'],
  maxDays: 30,
  activation: 'at-node',
};
const terms: AgreementTerms = {
  recipient: 'secretariat',
  scope: { eventKinds: ['movements'] },
  dimensions: ['route', 'category'],
  minTimeGranularity: 'month',
  minGeoGranularity: 'country',
  minCellSize: 5,
  embargoDays: 30,
  validFrom: '2026-01-01',
  validUntil: '2026-12-31',
  purpose: 'Regional picture',
};
const context = { nodeState: 'IR', now: new Date('2026-03-02T10:00:00Z') };
let seq = 0;
const envelope = (d: AgreementDecision): EventEnvelope => ({
  eventId: `01963c4e-0000-7000-8000-${String(++seq).padStart(12, '0')}`,
  type: d.type,
  schemaVersion: agreementSchemaVersion(d.type, d.data),
  provider: 'IR',
  streamId: `agreement-${agreementId}`,
  streamVersion: d.streamVersion,
  occurredOn: d.occurredOn,
  recordedAt: '2026-03-02T10:00:00.000Z',
  data: d.data,
});
const grant = (t: Partial<AgreementTerms> = {}): AgreementCommand => ({ type: 'GrantAgreement', agreementId, terms: { ...terms, ...t } });
const amend = (changes: Partial<AgreementTerms>): AgreementCommand => ({ type: 'AmendAgreement', agreementId, changes });
const activate = (id = emergencyId): AgreementCommand => ({
  type: 'ActivateEmergencyTerms',
  agreementId,
  emergencyId: id,
  reason: 'declared emergency on AF>IR>TR',
});
const given = (...commands: AgreementCommand[]) => commands.reduce((state, c) => evolve(state, envelope(decide(c, state, context))), initialAgreementState);
const refusal = (command: AgreementCommand, state = given()) => {
  try {
    decide(command, state, context);
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a refusal');
};
const fields = (e: DomainError) => (e as ValidationFailed).errors.map((p) => p.field).sort();

describe('emergency terms on an agreement', () => {
  it('given nothing, when granted with emergency terms, then the grant carries them, at schemaVersion 2', () => {
    const d = decide(grant({ emergency }), given(), context);
    expect(d).toMatchObject({ type: AGREEMENT_GRANTED, data: { emergency } });
    expect(agreementSchemaVersion(d.type, d.data)).toBe(2);
    expect(agreementSchemaVersion(AGREEMENT_GRANTED, decide(grant(), given(), context).data)).toBe(1);
  });

  it('refuses terms coarser than the grant, a longer embargo, * or the own recipient again, each field named (422)', () => {
    const bad = { ...emergency, minTimeGranularity: 'year', embargoDays: 31, recipients: ['*', 'secretariat'], maxDays: 91 } as EmergencyTerms;
    const e = refusal(grant({ emergency: bad }));
    expect(e.code).toBe('VALIDATION.FAILED');
    expect(fields(e)).toEqual(['emergency.embargoDays', 'emergency.maxDays', 'emergency.minTimeGranularity', 'emergency.recipients', 'emergency.recipients']);
    const geo = refusal(grant({ minGeoGranularity: 'border_crossing_point', emergency: { ...emergency, minGeoGranularity: 'country', dimensions: [] } }));
    expect(fields(geo)).toEqual(['emergency.minGeoGranularity']);
    expect(fields(refusal(grant({ emergency: { ...emergency, activation: 'whenever' } as never })))).toEqual(['emergency.activation']);
  });

  it('amends emergency terms like any term: added, changed, removed with null; an amendment making them coarser than the grant is refused', () => {
    const withTerms = given(grant(), amend({ emergency }));
    expect(withTerms.status === 'active' && withTerms.terms.emergency).toEqual(emergency);
    expect(decide(amend({ emergency: { ...emergency, maxDays: 10 } }), withTerms, context)).toMatchObject({
      type: AGREEMENT_AMENDED,
      data: { changes: { emergency: { maxDays: 10 } } },
    });
    const removed = given(grant({ emergency }), amend({ emergency: null }));
    expect(removed.status === 'active' && removed.terms.emergency).toBeNull();
    // The grant made finer than its emergency terms: the terms would be coarser, so refused.
    expect(
      fields(
        refusal(
          amend({ embargoDays: 0, minTimeGranularity: 'day' }),
          given(grant({ emergency: { ...emergency, embargoDays: 7, minTimeGranularity: 'week' } })),
        ),
      ),
    ).toEqual(['emergency.embargoDays', 'emergency.minTimeGranularity']);
  });

  it('given emergency terms, when activated for an emergency, then EmergencyTermsActivated at the next version; twice for the same one is a 409', () => {
    const state = given(grant({ emergency }));
    expect(decide(activate(), state, context)).toEqual({
      type: EMERGENCY_TERMS_ACTIVATED,
      data: { agreementId, emergencyId, reason: 'declared emergency on AF>IR>TR' },
      streamVersion: 2,
      occurredOn: '2026-03-02',
    });
    const activated = given(grant({ emergency }), activate());
    expect(refusal(activate(), activated).code).toBe('AGREEMENT.ALREADY_ACTIVATED');
    // Another emergency, and an amendment after the activation, follow on the stream.
    expect(decide(activate('01963c4e-0000-7000-8000-0000000000e2'), activated, context).streamVersion).toBe(3);
    expect(decide(amend({ purpose: 'changed' }), activated, context).streamVersion).toBe(3);
  });

  it('refuses an activation without emergency terms (422), of a revoked agreement (409), out of force (422), of an unknown one (404), without a reason', () => {
    expect(refusal(activate(), given(grant())).code).toBe('AGREEMENT.NO_EMERGENCY_TERMS');
    expect(refusal(activate(), given(grant({ emergency }), amend({ emergency: null }))).code).toBe('AGREEMENT.NO_EMERGENCY_TERMS');
    expect(refusal(activate(), given(grant({ emergency }), { type: 'RevokeAgreement', agreementId, reason: 'ended' })).code).toBe('AGREEMENT.REVOKED');
    expect(refusal(activate(), given(grant({ emergency, validUntil: '2026-02-28' }))).code).toBe('AGREEMENT.NOT_IN_FORCE');
    expect(refusal(activate(), given()).code).toBe('AGREEMENT.NOT_FOUND');
    expect(fields(refusal({ ...(activate() as object), reason: ' ' } as AgreementCommand, given(grant({ emergency }))))).toEqual(['reason']);
  });
});
