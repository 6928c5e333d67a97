import { deciderSpec } from './decider-spec';

/** A counter that may go up to a limit: enough to see each step pass and fail. */
type Event = { type: 'Incremented'; by: number };
type Command = { type: 'Increment'; by: number };
class TooMuch extends Error {
  readonly code = 'TOO_MUCH';
}
const given = deciderSpec<Command, Event, number, Event>({
  initialState: 0,
  evolve: (state, e) => state + e.by,
  decide: (c, state) => {
    if (state + c.by > 3) throw new TooMuch(`${state} + ${c.by} is over 3`);
    return [{ type: 'Incremented', by: c.by }];
  },
});
const inc = (by: number): Command => ({ type: 'Increment', by });
const incremented = (by: number): Event => ({ type: 'Incremented', by });

describe('deciderSpec', () => {
  it('folds the given events from the initial state', () => {
    expect(given().state).toBe(0);
    expect(given([incremented(1), incremented(2)]).state).toBe(3);
  });

  it('then: passes on the decided events, fails on others', () => {
    given([incremented(1)])
      .when(inc(2))
      .then(incremented(2));
    given([incremented(1)])
      .when(inc(2))
      .then([incremented(2)]);
    given([incremented(1)])
      .when(inc(2))
      .thenMatches({ by: 2 });
    expect(() =>
      given([incremented(1)])
        .when(inc(2))
        .then(incremented(1)),
    ).toThrow();
    expect(() =>
      given([incremented(1)])
        .when(inc(2))
        .thenMatches({ by: 1 }),
    ).toThrow();
  });

  it('thenThrows: returns the error when refused, checks its type and content, and fails when the command is decided', () => {
    const error = given([incremented(3)])
      .when(inc(1))
      .thenThrows({ code: 'TOO_MUCH', message: '3 + 1 is over 3' }, TooMuch);
    expect(error).toBeInstanceOf(TooMuch);
    expect(() =>
      given([incremented(3)])
        .when(inc(1))
        .thenThrows({ code: 'OTHER' }),
    ).toThrow();
    expect(() =>
      given([incremented(3)])
        .when(inc(1))
        .thenThrows(undefined, RangeError),
    ).toThrow();
    expect(() => given([]).when(inc(1)).thenThrows()).toThrow(/expected the command to be refused/);
    given([incremented(3)])
      .when(inc(1))
      .thenThrows((e) => expect((e as Error).message).toMatch(/over 3/));
  });
});
