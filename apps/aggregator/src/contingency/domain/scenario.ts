import { COUNTRY_CODES, DomainError, findBorderCrossingPoint, FieldError, PROVIDER_STATES, ValidationFailed } from '@caravanserai/contracts';
import type { ReceptionPlace, ScenarioVersion, ScenarioView, TargetKind } from '../../answers/scenario-view';

export type { ReceptionPlace, ScenarioVersion, ScenarioView, TargetKind };

/**
 * A contingency scenario (docs/contingency.md): what the secretariat plans for on one route
 * (`AF>IR>TR`) or at one border crossing point (`IR-DOGHAROUN`) — the planning figure (arrivals
 * per week the scenario expects) and the reception capacity (people per day, in total or per
 * receiving place) — with why. Versioned as events of the stream `scenario-<target>` in the
 * aggregator's SecretariatLog; pure decide/evolve, no framework.
 */

export const SCENARIO_SET = 'ScenarioSet';
export const SCENARIO_WITHDRAWN = 'ScenarioWithdrawn';
export const SCENARIO_EVENT_TYPES = [SCENARIO_SET, SCENARIO_WITHDRAWN] as const;

export const MAX_FIGURE = 10_000_000;
export const MAX_PLACES = 50;
export const MAX_REASON = 500;
export const MAX_PLACE_NAME = 120;

export interface ScenarioFigures {
  /** Expected arrivals per week under the scenario; null when only a capacity is recorded. */
  planningFigure: number | null;
  /** Reception capacity, people per day (the sum of the places when they are given); null when none. */
  capacityPerDay: number | null;
  /** The receiving places, when the capacity was given per place. */
  places: ReceptionPlace[];
}

export type ScenarioSetData = { target: string; targetKind: TargetKind; reason: string } & ScenarioFigures;
export type ScenarioWithdrawnData = { target: string; targetKind: TargetKind; reason: string };

export type ScenarioEvent = { type: typeof SCENARIO_SET; data: ScenarioSetData } | { type: typeof SCENARIO_WITHDRAWN; data: ScenarioWithdrawnData };

export interface SetScenario {
  type: 'SetScenario';
  target: string;
  planningFigure?: number | null;
  capacityPerDay?: number | null;
  places?: ReceptionPlace[];
  reason: string;
  /** The version the caller read; another version now is a conflict (409). */
  expectedVersion?: number;
}

export interface WithdrawScenario {
  type: 'WithdrawScenario';
  target: string;
  reason: string;
  expectedVersion?: number;
}

export type ScenarioCommand = SetScenario | WithdrawScenario;

/** The stream's state: its version (0: never set) and, while in force, its figures. */
export interface ScenarioState {
  version: number;
  current: ScenarioSetData | null;
}

export const initialScenario = (): ScenarioState => ({ version: 0, current: null });

export const scenarioStream = (target: string): string => `scenario-${target}`;

export const ScenarioError = {
  notFound: (target: string) => new DomainError('SCENARIO.NOT_FOUND', `no scenario in force for ${target}`, 'not_found', { target }),
  conflict: (target: string, version: number) =>
    new DomainError(
      'SECRETARIAT.CONFLICT',
      `${scenarioStream(target)} was changed meanwhile (version ${version} exists): read it again and retry`,
      'conflict',
      {
        streamId: scenarioStream(target),
      },
    ),
};

/** What a target names: a route of a reporting state (`departedFrom>provider>intendedDestination`)
 * or a border crossing point of the reference list; null when neither. */
export function targetKind(target: string): TargetKind | null {
  const parts = target.split('>');
  if (parts.length === 3) {
    const [from, provider, to] = parts;
    const country = new Set(COUNTRY_CODES);
    return country.has(from) && (PROVIDER_STATES as readonly string[]).includes(provider) && country.has(to) ? 'route' : null;
  }
  return findBorderCrossingPoint(target) ? 'borderCrossingPoint' : null;
}

const PRINTABLE = /^[^\p{Cc}]+$/u;
const wholeFigure = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_FIGURE;

function checkReason(reason: string, errors: FieldError[]): void {
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > MAX_REASON || !PRINTABLE.test(reason)) {
    errors.push({ field: 'reason', message: `reason must say why, in 1 to ${MAX_REASON} characters` });
  }
}

function checkTarget(target: string, errors: FieldError[]): TargetKind | null {
  const kind = typeof target === 'string' ? targetKind(target) : null;
  if (!kind)
    errors.push({
      field: 'target',
      message: 'target must be a route such as AF>IR>TR (of a reporting state) or a border crossing point code from GET /v1/reference',
    });
  return kind;
}

/** The figures of a SetScenario, checked; every problem at once (422, nothing stored). */
function figuresOf(cmd: SetScenario, errors: FieldError[]): ScenarioFigures {
  const planningFigure = cmd.planningFigure ?? null;
  let capacityPerDay = cmd.capacityPerDay ?? null;
  const places = cmd.places ?? [];
  if (planningFigure !== null && !wholeFigure(planningFigure))
    errors.push({ field: 'planningFigure', message: `planningFigure must be a whole number from 0 to ${MAX_FIGURE}` });
  if (capacityPerDay !== null && !wholeFigure(capacityPerDay))
    errors.push({ field: 'capacityPerDay', message: `capacityPerDay must be a whole number from 0 to ${MAX_FIGURE}` });
  if (places.length > MAX_PLACES) errors.push({ field: 'places', message: `places must contain no more than ${MAX_PLACES} elements` });
  const names = new Set<string>();
  places.forEach((p, i) => {
    const name = typeof p.name === 'string' ? p.name.trim() : '';
    if (!name || name.length > MAX_PLACE_NAME || !PRINTABLE.test(name))
      errors.push({ field: `places.${i}.name`, message: `places.${i}.name must name the place in 1 to ${MAX_PLACE_NAME} printable characters` });
    else if (names.has(name)) errors.push({ field: `places.${i}.name`, message: `places.${i}.name repeats ${name}` });
    names.add(name);
    if (!wholeFigure(p.capacityPerDay))
      errors.push({ field: `places.${i}.capacityPerDay`, message: `places.${i}.capacityPerDay must be a whole number from 0 to ${MAX_FIGURE}` });
  });
  if (places.length > 0 && errors.length === 0) {
    const sum = places.reduce((s, p) => s + p.capacityPerDay, 0);
    if (capacityPerDay !== null && capacityPerDay !== sum) {
      errors.push({
        field: 'capacityPerDay',
        message: `capacityPerDay ${capacityPerDay} is not the sum of the places' capacities (${sum}): give one or make them agree`,
      });
    }
    capacityPerDay = sum;
  }
  if (planningFigure === null && capacityPerDay === null) {
    errors.push({ field: 'planningFigure', message: 'planningFigure is required unless a capacity (capacityPerDay or places) is given' });
  }
  return { planningFigure, capacityPerDay, places: places.map((p) => ({ name: p.name.trim(), capacityPerDay: p.capacityPerDay })) };
}

/** decide: the events a command gives on the stream's state, or a clear error with nothing stored. */
export function decideScenario(cmd: ScenarioCommand, state: ScenarioState): ScenarioEvent[] {
  const errors: FieldError[] = [];
  const kind = checkTarget(cmd.target, errors);
  checkReason(cmd.reason, errors);
  if (cmd.expectedVersion !== undefined && !(Number.isInteger(cmd.expectedVersion) && cmd.expectedVersion >= 0)) {
    errors.push({ field: 'expectedVersion', message: 'expectedVersion must be a whole number from 0 (never set) up' });
  }
  switch (cmd.type) {
    case 'SetScenario': {
      const figures = figuresOf(cmd, errors);
      if (errors.length) throw new ValidationFailed(errors);
      if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== state.version) throw ScenarioError.conflict(cmd.target, state.version);
      return [{ type: SCENARIO_SET, data: { target: cmd.target, targetKind: kind!, ...figures, reason: cmd.reason.trim() } }];
    }
    case 'WithdrawScenario': {
      if (errors.length) throw new ValidationFailed(errors);
      if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== state.version) throw ScenarioError.conflict(cmd.target, state.version);
      if (!state.current) throw ScenarioError.notFound(cmd.target);
      return [{ type: SCENARIO_WITHDRAWN, data: { target: cmd.target, targetKind: kind!, reason: cmd.reason.trim() } }];
    }
    default: {
      const _exhaustive: never = cmd;
      throw new Error(`unknown command ${JSON.stringify(_exhaustive)}`);
    }
  }
}

/** evolve: the state after one event. */
export function evolveScenario(state: ScenarioState, event: ScenarioEvent): ScenarioState {
  switch (event.type) {
    case SCENARIO_SET:
      return { version: state.version + 1, current: event.data };
    case SCENARIO_WITHDRAWN:
      return { version: state.version + 1, current: null };
  }
}

/** The listing of one stream's events (in version order), newest figures first in `history`'s last. */
export function scenarioView(
  events: readonly { streamVersion: number; type: string; data: unknown; recordedBy: string; recordedAt: string }[],
): ScenarioView | null {
  if (events.length === 0) return null;
  const history: ScenarioVersion[] = events.map((e) => {
    const d = e.data as Partial<ScenarioSetData> & { reason: string };
    const set = e.type === SCENARIO_SET;
    return {
      version: e.streamVersion,
      type: set ? SCENARIO_SET : SCENARIO_WITHDRAWN,
      recordedBy: e.recordedBy,
      recordedAt: e.recordedAt,
      reason: d.reason,
      planningFigure: set ? (d.planningFigure ?? null) : null,
      capacityPerDay: set ? (d.capacityPerDay ?? null) : null,
      places: set ? (d.places ?? []) : [],
    };
  });
  const last = history[history.length - 1];
  const first = events[0].data as { target: string; targetKind: TargetKind };
  const active = last.type === SCENARIO_SET;
  return {
    target: first.target,
    targetKind: first.targetKind,
    status: active ? 'active' : 'withdrawn',
    version: last.version,
    planningFigure: last.planningFigure,
    capacityPerDay: last.capacityPerDay,
    capacityPerWeek: last.capacityPerDay === null ? null : last.capacityPerDay * 7,
    places: last.places,
    reason: last.reason,
    recordedBy: last.recordedBy,
    recordedAt: last.recordedAt,
    history,
  };
}
