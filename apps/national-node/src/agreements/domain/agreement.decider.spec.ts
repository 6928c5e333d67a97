import {
  AGREEMENT_AMENDED,
  AGREEMENT_GRANTED,
  AGREEMENT_REVOKED,
  AgreementGrantedData,
  AgreementTerms,
  DomainError,
  EventEnvelope,
  ValidationFailed,
} from '@caravanserai/contracts';
import { deciderSpec } from '@caravanserai/testing';
import { AgreementCommand, AgreementDecision, AgreementState, decide, evolve, initialAgreementState } from './agreement.decider';

const agreementId = '01963c4e-0000-7000-8000-0000000000a1';
const terms: AgreementTerms = {
  recipient: 'secretariat',
  scope: { eventKinds: ['movements'], categories: { exclude: ['victim_of_trafficking'] } },
  dimensions: ['route', 'category'],
  minTimeGranularity: 'month',
  minGeoGranularity: 'country',
  minCellSize: 5,
  embargoDays: 30,
  validFrom: '2026-01-01',
  validUntil: null,
  purpose: 'Regional picture of mixed movements',
};
const context = { nodeState: 'IR', now: new Date('2026-03-02T23:30:00Z') };

let seq = 0;
const envelope = (d: AgreementDecision): EventEnvelope => ({
  eventId: `01963c4e-0000-7000-8000-${String(++seq).padStart(12, '0')}`,
  type: d.type,
  schemaVersion: 1,
  provider: 'IR',
  streamId: `agreement-${agreementId}`,
  streamVersion: d.streamVersion,
  occurredOn: d.occurredOn,
  recordedAt: '2026-03-02T23:30:00.000Z',
  data: d.data,
});
const grant: AgreementCommand = { type: 'GrantAgreement', agreementId, terms };
const amend = (changes: Partial<AgreementTerms>): AgreementCommand => ({ type: 'AmendAgreement', agreementId, changes });
const revoke: AgreementCommand = { type: 'RevokeAgreement', agreementId, reason: 'the arrangement ended' };

const spec = deciderSpec({
  decide: (command: AgreementCommand, state: AgreementState) => decide(command, state, context),
  evolve,
  initialState: initialAgreementState,
});
/** The events the commands record, in order: each decided on the state the ones before it leave. */
const recorded = (...commands: AgreementCommand[]): EventEnvelope[] =>
  commands.reduce<EventEnvelope[]>((events, c) => [...events, envelope(spec(events).when(c).decided()[0])], []);
/** given the events the commands recorded */
const given = (...commands: AgreementCommand[]) => spec(recorded(...commands));
const refusal = (command: AgreementCommand, state = given()) => state.when(command).thenThrows() as DomainError;

describe('agreement decider', () => {
  describe('grant', () => {
    it('given nothing, when granted, then AgreementGranted at version 1 on the UTC day of the decision', () => {
      given()
        .when(grant)
        .then({
          type: AGREEMENT_GRANTED,
          // no data period given: recorded as unbounded, in so many words
          data: { agreementId, ...terms, dataFrom: null, dataUntil: null },
          streamVersion: 1,
          occurredOn: '2026-03-02',
        });
    });

    it("given nothing, when granted naming the node's own state as provider, then granted", () => {
      given()
        .when({ ...grant, provider: 'IR' } as AgreementCommand)
        .thenMatches({ type: AGREEMENT_GRANTED });
    });

    it('given nothing, when granted for another state, then forbidden', () => {
      expect(refusal({ ...grant, provider: 'TR' } as AgreementCommand)).toMatchObject({
        code: 'AGREEMENT.FOREIGN_PROVIDER',
        kind: 'forbidden',
        message: expect.stringMatching(/only for its own state: this node speaks for IR, not TR/),
      });
    });

    it('given nothing, when granted with invalid and contradictory terms, then every problem by field', () => {
      const e = refusal({
        ...grant,
        terms: {
          ...terms,
          minCellSize: 0,
          dimensions: ['borderCrossingPoint'],
          validUntil: '2025-12-31',
          scope: { eventKinds: ['movements'], categories: { include: ['refugee'], exclude: ['other'] } },
        },
      });
      expect(e).toBeInstanceOf(ValidationFailed);
      expect((e as ValidationFailed).kind).toBe('unprocessable');
      expect((e as ValidationFailed).errors.map((p) => p.field).sort()).toEqual(['dimensions', 'minCellSize', 'scope.categories', 'validUntil']);
    });

    it('given nothing, when granted for 2026 data only, then the data period is recorded as given', () => {
      const [decision] = given()
        .when({ ...grant, terms: { ...terms, dataFrom: '2026-01-01', dataUntil: '2026-12-31' } })
        .decided();
      expect(decision.data).toEqual({ agreementId, ...terms, dataFrom: '2026-01-01', dataUntil: '2026-12-31' });
    });

    it('given nothing, when granted with a data period that ends before it starts or is no calendar day, then 422 by field', () => {
      const reversed = refusal({ ...grant, terms: { ...terms, dataFrom: '2026-01-01', dataUntil: '2025-12-31' } });
      expect(reversed).toBeInstanceOf(ValidationFailed);
      expect((reversed as ValidationFailed).errors).toEqual([
        { field: 'dataUntil', message: 'dataUntil 2025-12-31 is before dataFrom 2026-01-01: the data period would cover no day' },
      ]);
      const unreal = refusal({ ...grant, terms: { ...terms, dataFrom: '2026-02-30' } });
      expect((unreal as ValidationFailed).errors.map((p) => p.field)).toEqual(['dataFrom']);
    });

    it('given a granted agreement, when granted again, then a conflict', () => {
      expect(refusal(grant, given(grant))).toMatchObject({ code: 'AGREEMENT.ALREADY_GRANTED', kind: 'conflict' });
    });
  });

  describe('amend', () => {
    it('given a granted agreement, when amended, then AgreementAmended with the changes only, at the next version', () => {
      given(grant)
        .when(amend({ minCellSize: 10, embargoDays: 30, recipient: 'secretariat' }))
        .then({
          type: AGREEMENT_AMENDED,
          data: { agreementId, changes: { minCellSize: 10 } },
          streamVersion: 2,
          occurredOn: '2026-03-02',
        });
    });

    it('given an amended agreement, when amended again, then the version follows and the terms are the amended ones', () => {
      const amended = given(grant, amend({ minCellSize: 10 }), amend({ validUntil: '2026-12-31' }));
      expect(amended.state).toMatchObject({ status: 'active', version: 3, terms: { ...terms, minCellSize: 10, validUntil: '2026-12-31' } });
      amended.when(amend({ validUntil: null })).thenMatches({ data: { changes: { validUntil: null } }, streamVersion: 4 });
    });

    it('given a granted agreement, when amended to nothing new (lists reordered, same values), then 422 no change', () => {
      const e = refusal(
        amend({ dimensions: ['category', 'route'], scope: { categories: { exclude: ['victim_of_trafficking'] }, eventKinds: ['movements'] }, minCellSize: 5 }),
        given(grant),
      );
      expect(e).toMatchObject({ code: 'AGREEMENT.NO_CHANGE', kind: 'unprocessable' });
      expect(refusal(amend({}), given(grant))).toMatchObject({ code: 'AGREEMENT.NO_CHANGE' });
    });

    it('given a granted agreement, when the recipient is changed, then 422 on recipient', () => {
      const e = refusal(amend({ recipient: 'state:TR', minCellSize: 10 }), given(grant));
      expect(e).toBeInstanceOf(ValidationFailed);
      expect((e as ValidationFailed).errors).toEqual([{ field: 'recipient', message: expect.stringMatching(/cannot change \(it is secretariat\)/) }]);
    });

    it('given an agreement valid from 2026-01-01, when amended to end before it starts, then 422: the whole is checked', () => {
      const e = refusal(amend({ validUntil: '2025-06-30' }), given(grant));
      expect((e as ValidationFailed).errors).toEqual([{ field: 'validUntil', message: 'validUntil 2025-06-30 is before validFrom 2026-01-01' }]);
    });

    it('given an agreement at country granularity, when borderCrossingPoint is added to its dimensions, then 422', () => {
      const e = refusal(amend({ dimensions: ['route', 'borderCrossingPoint'] }), given(grant));
      expect((e as ValidationFailed).errors.map((p) => p.field)).toEqual(['dimensions']);
      // ...and with the finer granularity in the same amendment, it holds together.
      given(grant)
        .when(amend({ dimensions: ['route', 'borderCrossingPoint'], minGeoGranularity: 'border_crossing_point' }))
        .thenMatches({ type: AGREEMENT_AMENDED });
    });

    it('given a grant for 2026 data, when amended to end its data before it starts, then 422: the whole is checked', () => {
      const state = given({ ...grant, terms: { ...terms, dataFrom: '2026-01-01', dataUntil: '2026-12-31' } } as AgreementCommand);
      expect((refusal(amend({ dataUntil: '2025-12-31' }), state) as ValidationFailed).errors).toEqual([
        { field: 'dataUntil', message: expect.stringMatching(/^dataUntil 2025-12-31 is before dataFrom 2026-01-01/) },
      ]);
      // ...and moved together, it holds.
      state.when(amend({ dataFrom: '2025-01-01', dataUntil: '2025-12-31' })).thenMatches({
        data: { changes: { dataFrom: '2025-01-01', dataUntil: '2025-12-31' } },
      });
    });

    it('given a grant with a data period, when amended to lift a bound, then null is recorded; lifting it again is no change', () => {
      const state = given({ ...grant, terms: { ...terms, dataFrom: '2026-01-01', dataUntil: '2026-12-31' } } as AgreementCommand, amend({ dataUntil: null }));
      expect(state.state).toMatchObject({ version: 2, terms: { dataFrom: '2026-01-01', dataUntil: null } });
      expect(refusal(amend({ dataUntil: null }), state)).toMatchObject({ code: 'AGREEMENT.NO_CHANGE' });
    });

    it('given a grant published without a data period, when amended to an unbounded one, then no change: absent is null', () => {
      // a grant from before the term existed: its event has no dataFrom/dataUntil
      const [event] = recorded(grant);
      const { dataFrom: _f, dataUntil: _u, ...old } = event.data as AgreementGrantedData;
      const state = spec([{ ...event, data: old }]);
      expect(state.state).toMatchObject({ terms: { dataFrom: null, dataUntil: null } });
      expect(refusal(amend({ dataFrom: null, dataUntil: null }), state)).toMatchObject({ code: 'AGREEMENT.NO_CHANGE' });
      state.when(amend({ dataFrom: '2026-01-01' })).thenMatches({ data: { changes: { dataFrom: '2026-01-01' } } });
    });

    it('given a granted agreement, when k is amended to 0, then 422 on minCellSize', () => {
      expect((refusal(amend({ minCellSize: 0 }), given(grant)) as ValidationFailed).errors.map((p) => p.field)).toEqual(['minCellSize']);
    });

    it('given nothing, when amended, then not found', () => {
      expect(refusal(amend({ minCellSize: 10 }))).toMatchObject({ code: 'AGREEMENT.NOT_FOUND', kind: 'not_found' });
    });

    it('given a revoked agreement, when amended, then a conflict that states the current state', () => {
      expect(refusal(amend({ minCellSize: 10 }), given(grant, revoke))).toMatchObject({
        code: 'AGREEMENT.REVOKED',
        kind: 'conflict',
        details: { agreementId, agreementStatus: 'revoked', version: 2, revokedOn: '2026-03-02', reason: 'the arrangement ended' },
      });
    });
  });

  describe('revoke', () => {
    it('given a granted agreement, when revoked, then AgreementRevoked at the next version', () => {
      given(grant, amend({ minCellSize: 7 }))
        .when(revoke)
        .then({
          type: AGREEMENT_REVOKED,
          data: { agreementId, reason: 'the arrangement ended' },
          streamVersion: 3,
          occurredOn: '2026-03-02',
        });
    });

    it('given a revoked agreement, when revoked again, then a conflict', () => {
      expect(refusal(revoke, given(grant, revoke))).toMatchObject({ code: 'AGREEMENT.REVOKED', kind: 'conflict', details: { version: 2 } });
    });

    it('given nothing, when revoked, then not found', () => {
      expect(refusal(revoke)).toMatchObject({ code: 'AGREEMENT.NOT_FOUND' });
    });

    it('given a granted agreement, when revoked without a reason, then 422 on reason', () => {
      expect((refusal({ ...revoke, reason: '  ' } as AgreementCommand, given(grant)) as ValidationFailed).errors.map((p) => p.field)).toEqual(['reason']);
    });
  });

  describe('evolve', () => {
    it('folds grant, amendment and revocation into the state a reader sees', () => {
      expect(given(grant, amend({ embargoDays: 0 }), revoke).state).toEqual({
        status: 'revoked',
        agreementId,
        terms: { ...terms, embargoDays: 0, dataFrom: null, dataUntil: null },
        version: 3,
        grantedOn: '2026-03-02',
        activations: [],
        revokedOn: '2026-03-02',
        reason: 'the arrangement ended',
      });
    });

    it('ignores events of other kinds', () => {
      const granted = given(grant);
      const [revocation] = granted.when(revoke).decided();
      expect(evolve(granted.state, { ...envelope(revocation), type: 'MovementRecorded' })).toBe(granted.state);
    });
  });
});
