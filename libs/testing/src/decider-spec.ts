/**
 * Given / when / then for a decider's unit specs, in the manner of emmett's
 * DeciderSpecification: given the events of a stream (folded with `evolve` from the initial
 * state), when a command, then the events it decides — or then it throws. Pure: no clock, no
 * database; whatever else `decide` needs (a time, the node's state) is closed over by the spec.
 *
 *   const given = deciderSpec({ decide: (c, s) => decide(c, s, now), evolve, initialState });
 *   given([made]).when(accept).then({ type: 'ReferralAccepted', ... });
 *   given([]).when(accept).thenThrows({ code: 'REFERRAL.NOT_FOUND' });
 */
export interface DeciderUnderTest<Command, Event, State, Decided> {
  decide(command: Command, state: State): Decided | Decided[];
  evolve(state: State, event: Event): State;
  initialState: State;
}

export interface WhenStep<Decided, State> {
  /** The decided events equal `expected` (one, or the list in order). */
  then(expected: Decided | Decided[]): void;
  /** The decided events match `expected` (toMatchObject: what is named must be so). */
  thenMatches(expected: object | object[]): void;
  /** The command is refused: the error is an instance of `type` (if given) and matches `expected`
   * (an object for toMatchObject, or a function that asserts); the error is returned. */
  thenThrows(expected?: object | ((error: unknown) => void), type?: abstract new (...args: never[]) => unknown): unknown;
  /** What `decide` returned, as a list, for a check the steps above do not cover. */
  decided(): Decided[];
  /** The state the given events fold into. */
  readonly state: State;
}

export interface GivenStep<Command, Decided, State> {
  when(command: Command): WhenStep<Decided, State>;
  readonly state: State;
}

const asList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

export function deciderSpec<Command, Event, State, Decided>(
  decider: DeciderUnderTest<Command, Event, State, Decided>,
): (events?: readonly Event[]) => GivenStep<Command, Decided, State> {
  return (events = []) => {
    const state = events.reduce(decider.evolve, decider.initialState);
    return {
      state,
      when(command) {
        const run = () => asList(decider.decide(command, state));
        return {
          state,
          decided: run,
          then(expected) {
            expect(run()).toEqual(asList(expected));
          },
          thenMatches(expected) {
            expect(run()).toMatchObject(asList(expected));
          },
          thenThrows(expected, type) {
            let decided: Decided[] | undefined;
            try {
              decided = run();
            } catch (error) {
              if (type) expect(error).toBeInstanceOf(type);
              if (typeof expected === 'function') (expected as (e: unknown) => void)(error);
              else if (expected) expect(error).toMatchObject(expected);
              return error;
            }
            throw new Error(`expected the command to be refused, but it decided ${JSON.stringify(decided)}`);
          },
        };
      },
    };
  };
}
