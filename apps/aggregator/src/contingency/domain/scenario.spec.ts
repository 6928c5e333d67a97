import { DomainError, ValidationFailed } from '@caravanserai/contracts';
import { decideScenario, evolveScenario, initialScenario, ScenarioCommand, ScenarioEvent, ScenarioState, scenarioView, targetKind } from './scenario';

const given = (...events: ScenarioEvent[]): ScenarioState => events.reduce(evolveScenario, initialScenario());
const set = (over: Partial<Extract<ScenarioCommand, { type: 'SetScenario' }>> = {}): ScenarioCommand => ({
  type: 'SetScenario',
  target: 'AF>IR>TR',
  planningFigure: 400,
  reason: 'winter plan',
  ...over,
});
const fieldsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationFailed) return e.errors.map((x) => x.field);
    throw e;
  }
  throw new Error('no error');
};
const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as DomainError).code;
  }
  return 'none';
};

describe('contingency scenario decider', () => {
  it('knows routes of a reporting state and crossing points of the reference list, nothing else', () => {
    expect(targetKind('AF>IR>TR')).toBe('route');
    expect(targetKind('IR-DOGHAROUN')).toBe('borderCrossingPoint');
    expect(targetKind('AF>DE>TR')).toBeNull(); // DE reports no data here
    expect(targetKind('AF>IR>QQ')).toBeNull();
    expect(targetKind('IR-NOWHERE')).toBeNull();
  });

  it('sets a scenario: the capacity of its places is their sum; version 1, then 2', () => {
    const [first] = decideScenario(
      set({
        planningFigure: 400,
        places: [
          { name: ' Mashhad ', capacityPerDay: 30 },
          { name: 'Zahedan', capacityPerDay: 20 },
        ],
      }),
      initialScenario(),
    );
    expect(first).toEqual({
      type: 'ScenarioSet',
      data: {
        target: 'AF>IR>TR',
        targetKind: 'route',
        planningFigure: 400,
        capacityPerDay: 50,
        places: [
          { name: 'Mashhad', capacityPerDay: 30 },
          { name: 'Zahedan', capacityPerDay: 20 },
        ],
        reason: 'winter plan',
      },
    });
    const state = given(first);
    expect(state.version).toBe(1);
    const [second] = decideScenario(set({ planningFigure: 600, expectedVersion: 1 }), state);
    expect(given(first, second)).toEqual({ version: 2, current: { ...second.data } });
    expect(second.data).toMatchObject({ planningFigure: 600, capacityPerDay: null, places: [] });
  });

  it('refuses bad input with every field at once, and a stale expected version with a 409', () => {
    expect(fieldsOf(() => decideScenario(set({ target: 'AF>IR', planningFigure: -1, reason: ' ' }), initialScenario()))).toEqual([
      'target',
      'reason',
      'planningFigure',
    ]);
    expect(fieldsOf(() => decideScenario(set({ planningFigure: undefined }), initialScenario()))).toEqual(['planningFigure']);
    expect(fieldsOf(() => decideScenario(set({ planningFigure: 1.5 }), initialScenario()))).toEqual(['planningFigure']);
    expect(fieldsOf(() => decideScenario(set({ capacityPerDay: 10, places: [{ name: 'A', capacityPerDay: 4 }] }), initialScenario()))).toEqual([
      'capacityPerDay',
    ]);
    expect(
      fieldsOf(() =>
        decideScenario(
          set({
            places: [
              { name: 'A', capacityPerDay: 4 },
              { name: 'A', capacityPerDay: 1 },
              { name: '', capacityPerDay: -2 },
            ],
          }),
          initialScenario(),
        ),
      ),
    ).toEqual(['places.1.name', 'places.2.name', 'places.2.capacityPerDay']);
    expect(codeOf(() => decideScenario(set({ expectedVersion: 0 }), given(decideScenario(set(), initialScenario())[0])))).toBe('SECRETARIAT.CONFLICT');
    // A capacity alone is a scenario too.
    expect(decideScenario(set({ planningFigure: undefined, capacityPerDay: 80 }), initialScenario())[0].data).toMatchObject({
      planningFigure: null,
      capacityPerDay: 80,
    });
  });

  it('withdraws only a scenario in force', () => {
    expect(codeOf(() => decideScenario({ type: 'WithdrawScenario', target: 'AF>IR>TR', reason: 'over' }, initialScenario()))).toBe('SCENARIO.NOT_FOUND');
    const s1 = decideScenario(set(), initialScenario())[0];
    const w = decideScenario({ type: 'WithdrawScenario', target: 'AF>IR>TR', reason: 'over' }, given(s1))[0];
    expect(w).toEqual({ type: 'ScenarioWithdrawn', data: { target: 'AF>IR>TR', targetKind: 'route', reason: 'over' } });
    expect(given(s1, w)).toEqual({ version: 2, current: null });
    expect(codeOf(() => decideScenario({ type: 'WithdrawScenario', target: 'AF>IR>TR', reason: 'again' }, given(s1, w)))).toBe('SCENARIO.NOT_FOUND');
  });

  it('lists a stream as the figures in force and every version with who, when and why', () => {
    const s1 = decideScenario(set({ capacityPerDay: 50 }), initialScenario())[0];
    const w = decideScenario({ type: 'WithdrawScenario', target: 'AF>IR>TR', reason: 'over' }, given(s1))[0];
    const stored = [s1, w].map((e, i) => ({
      streamVersion: i + 1,
      type: e.type,
      data: e.data,
      recordedBy: 'secretariat',
      recordedAt: `2026-12-0${i + 1}T00:00:00.000Z`,
    }));
    expect(scenarioView(stored.slice(0, 1))).toMatchObject({
      status: 'active',
      version: 1,
      planningFigure: 400,
      capacityPerDay: 50,
      capacityPerWeek: 350,
      reason: 'winter plan',
    });
    const view = scenarioView(stored)!;
    expect(view).toMatchObject({
      status: 'withdrawn',
      version: 2,
      planningFigure: null,
      capacityPerWeek: null,
      reason: 'over',
      recordedAt: '2026-12-02T00:00:00.000Z',
    });
    expect(view.history.map((h) => [h.version, h.type, h.reason, h.planningFigure])).toEqual([
      [1, 'ScenarioSet', 'winter plan', 400],
      [2, 'ScenarioWithdrawn', 'over', null],
    ]);
    expect(scenarioView([])).toBeNull();
  });
});
