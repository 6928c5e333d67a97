/**
 * A contingency scenario as published (GET /v1/scenarios) and as other contexts read it (the
 * forecast compares its figures with the arrivals, through QueryScenarios).
 */
export type TargetKind = 'route' | 'borderCrossingPoint';

export interface ReceptionPlace {
  name: string;
  capacityPerDay: number;
}

/** One version of a scenario as listed: who recorded what, when and why. */
export interface ScenarioVersion {
  version: number;
  type: 'ScenarioSet' | 'ScenarioWithdrawn';
  recordedBy: string;
  recordedAt: string;
  reason: string;
  planningFigure: number | null;
  capacityPerDay: number | null;
  places: ReceptionPlace[];
}

/** A scenario as GET /v1/scenarios lists it: the figures in force (null once withdrawn) and every version. */
export interface ScenarioView {
  target: string;
  targetKind: TargetKind;
  status: 'active' | 'withdrawn';
  version: number;
  planningFigure: number | null;
  capacityPerDay: number | null;
  /** capacityPerDay × 7: what the forecast compares with a week's arrivals. */
  capacityPerWeek: number | null;
  places: ReceptionPlace[];
  reason: string;
  recordedBy: string;
  recordedAt: string;
  history: ScenarioVersion[];
}
