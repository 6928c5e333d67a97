import { anyObject, arr, bool, date, instant, int, nullable, num, obj, oneOfEnum, Schema, str, uuid } from '@caravanserai/platform';
import { FEED_ITEM_KINDS } from './answers/feed-item';
import { GRANULARITIES } from './answers/flow-answer';

/** The aggregator's answers as OpenAPI schemas (the shapes of the domain types they serialise). */

const release = obj({ id: int(), cutAt: instant(), dataUntil: date() });

export const DISCLOSURE_SCHEMA = obj(
  {
    principal: str(),
    release: nullable(release),
    method: obj({ name: str({ enum: ['cell-key'] }), maxNoise: int(), exact: arr(str()), protected: arr(obj({ provider: str(), k: int() })) }),
    agreements: arr(
      obj(
        {
          provider: str(),
          agreement: str(),
          minCellSize: int(),
          minTimeGranularity: str(),
          dataFrom: nullable(date()),
          dataUntil: nullable(date()),
          categories: { description: 'The categories the grant covers, as granted' },
          emergency: {
            ...obj({
              id: uuid(),
              activatedAt: instant(),
              by: oneOfEnum(['at-node', 'critical-surge']),
              alertId: nullable(str()),
              until: instant(),
              as: oneOfEnum(['direct', 'further', 'anyone']),
            }),
            description: "Present when this state's part was cut to its emergency terms (docs/emergencies.md)",
          },
        },
        ['categories', 'emergency'],
      ),
    ),
    emergency: {
      ...obj({
        id: uuid(),
        status: oneOfEnum(['in-force', 'ended', 'expired']),
        routes: arr(str()),
        borderCrossingPoints: arr(str()),
        declaredAt: instant(),
        endsAt: instant(),
        underEmergencyTerms: arr(str()),
      }),
      description:
        'Present for a question asked under an emergency (?emergency=): its scope, whether it is still in force, and the states cut to their emergency terms',
    },
    leftOut: arr(obj({ provider: str(), agreement: str(), reason: str() })),
    coarsened: arr(str()),
    notes: arr(str()),
  },
  ['emergency'],
);

const answerFrame = { granularity: oneOfEnum(GRANULARITIES), from: date(), to: date(), release: nullable(release), disclosure: DISCLOSURE_SCHEMA };

export const FLOWS_SCHEMA: Schema = {
  ...obj({
    query: anyObject('The question as understood: from, to, granularity, groupBy and the filters given'),
    ...answerFrame,
    rows: arr({
      ...obj({ period: str(), count: int({ minimum: 1 }) }),
      description: 'A published cell: its period, a member per groupBy dimension, and its count (never 0)',
    }),
    totals: obj({ count: int(), byPeriod: arr(obj({ period: str(), count: int() })) }),
  }),
};

const hours = obj({ medianHours: nullable(num()), p90Hours: nullable(num()) });
const referralFigures = {
  referrals: int(),
  byStatus: { type: 'object', additionalProperties: int() },
  accepted: int(),
  declined: int(),
  acceptanceRate: nullable(num()),
  toAcceptance: hours,
  toClosure: hours,
  stalled: int(),
};

export const REFERRAL_SUMMARY_SCHEMA = obj({
  query: anyObject(),
  ...answerFrame,
  asOf: nullable(instant()),
  rows: arr({ ...obj({ period: str(), ...referralFigures }), description: 'Figures of a period and the groupBy dimensions' }),
  totals: obj(referralFigures),
  awaitingReferralMade: int(),
});

const alert = obj(
  {
    alertId: str(),
    provider: str(),
    scope: str(),
    route: nullable(str()),
    borderCrossingPoint: nullable(str()),
    category: nullable(str()),
    severity: str(),
    status: oneOfEnum(['active', 'subsided']),
    window: obj({ from: date(), to: date() }),
    baseline: obj({ from: date(), to: date() }),
    recent: int(),
    expectedWeekly: num(),
    ratio: num(),
    score: num(),
    detectedAt: instant(),
    updatedAt: instant(),
    subsidedAt: nullable(instant()),
  },
  ['updatedAt'],
);

export const ALERTS_SCHEMA = obj({ principal: str(), figures: str(), method: anyObject('The detector and its thresholds'), alerts: arr(alert) });

const agreementView = obj({ agreementId: str(), provider: str(), recipient: str(), status: str(), terms: anyObject(), history: arr(anyObject()) }, [
  'terms',
  'history',
  'recipient',
]);
export const AGREEMENTS_SCHEMA = obj({ agreements: arr(agreementView) });

export const AUDIT_SCHEMA = obj({
  entries: arr({
    ...obj({ id: int(), at: instant(), principal: str(), endpoint: str() }, ['id']),
    description: 'An entry as the caller may see it (docs/privacy.md)',
  }),
  next: nullable(int()),
});

const lag = { type: 'object', description: 'Consumer lag: per topic (summed), and per partition for the admin' };
export const NODES_SCHEMA = obj(
  {
    providers: arr(obj({ provider: str() })),
    lag,
    quarantine: anyObject('The admin only: open and replayed counts, by reason'),
    awaitingUpgrade: arr({
      ...obj({ provider: str(), type: str(), schemaVersion: int(), events: int() }),
      description: 'The admin, and a state for its own provider: events of a version newer than this aggregator reads, held until it is upgraded',
    }),
  },
  ['quarantine', 'awaitingUpgrade'],
);

export const QUARANTINE_SCHEMA = obj({ items: arr(obj({ id: int(), reason: str() })), next: nullable(int()), open: int(), replayed: int() });

const releaseRow = obj({ id: int(), cutAt: instant(), dataUntil: date(), cutBy: str(), reason: nullable(str()), flowCells: int(), referrals: int() });
export const SCHEDULE_SCHEMA = obj({
  frequency: oneOfEnum(['daily', 'weekly', 'monthly', 'off']),
  atUtc: str({ pattern: '^\\d{2}:\\d{2}$' }),
  setBy: str(),
  setAt: instant(),
});
export const RELEASES_SCHEMA = obj({ releases: arr(releaseRow), schedule: SCHEDULE_SCHEMA });
export const RELEASE_SCHEMA = obj({ id: int(), cutAt: instant(), dataUntil: date() });

export const HEALTH_SCHEMA = obj({ status: oneOfEnum(['ok', 'degraded']), service: str(), database: oneOfEnum(['up', 'down']), consumer: anyObject() });
export const READY_SCHEMA = obj(
  { ready: bool(), database: oneOfEnum(['up', 'down']), broker: oneOfEnum(['up', 'down']), brokerError: str(), consumer: str() },
  ['brokerError'],
);

/** CSV as the exports write it: `#` comment lines on what applied, then a header and the rows. */
export const CSV_SCHEMA = str({ description: 'CSV (RFC 4180, CRLF); leading `#` lines say which release and what applied' });

/** The other representations of flows and referral summaries (`format=` or Accept; docs/integrators.md). */
export const FORMAT_SCHEMAS: Record<string, Schema> = {
  'text/csv': str({
    description:
      'format=csv: CSV for spreadsheets (UTF-8 with a BOM, `#` lines on what applied, `delimiter=semicolon` for `;`); ' +
      'format=hxl: CSV with an HXL hashtag row',
  }),
  'application/vnd.sdmx.data+csv': str({ description: 'SDMX-CSV 2.0 data message (format=sdmx-csv; the media type carries version=2.0.0)' }),
  'application/vnd.sdmx.data+json': anyObject('SDMX-JSON 2.0 data message (format=sdmx-json; the media type carries version=2.0.0)'),
};

const FEED_ITEM_SCHEMA = obj({
  id: str({ description: 'Stable across redeliveries and channels, e.g. release/12/flows/IR' }),
  kind: str({ enum: [...FEED_ITEM_KINDS] }),
  recipient: str(),
  occurredAt: instant(),
  data: anyObject('What the REST answer for the same principal says (docs/integrators.md, "The feed")'),
  signature: obj({
    alg: str({ enum: ['Ed25519'] }),
    keyId: str(),
    value: str({ description: 'base64url Ed25519 over the RFC 8785 JSON of the item without its signature' }),
  }),
});
export const FEED_PAGE_SCHEMA = obj({
  items: arr(obj({ cursor: str(), item: FEED_ITEM_SCHEMA })),
  next: nullable(str({ description: 'The cursor to resume after: the last item’s, or the `after` given when there was nothing new' })),
});
export const FEED_STREAM_SCHEMA = str({ description: 'Server-Sent Events: `id: <cursor>`, `event: <kind>`, `data: <item JSON>`; `:` heartbeat lines' });
export const SIGNING_KEYS_SCHEMA = obj({
  keys: arr(
    obj({
      keyId: str(),
      alg: str({ enum: ['Ed25519'] }),
      publicKeyPem: str(),
      jwk: obj({ kty: str({ enum: ['OKP'] }), crv: str({ enum: ['Ed25519'] }), x: str() }),
    }),
  ),
});
export const SDMX_STRUCTURE_SCHEMA = anyObject('SDMX-JSON 2.0 structure message with the code lists');

export const WEBHOOK_SCHEMA = obj({
  id: uuid(),
  url: str(),
  description: nullable(str()),
  status: oneOfEnum(['active', 'parked']),
  cursor: str({ description: 'The feed cursor delivered up to: the next delivery is the first item after it' }),
  delivered: int(),
  attempts: int({ description: 'Consecutive failed attempts at the next item' }),
  lastError: nullable(str()),
  lastAttemptAt: nullable(instant()),
  nextAttemptAt: nullable(instant()),
  parked: nullable(obj({ itemId: str(), at: instant() })),
  createdAt: instant(),
});
export const WEBHOOKS_SCHEMA = obj({ webhooks: arr(WEBHOOK_SCHEMA) });

const place = obj({ name: str(), capacityPerDay: int({ minimum: 0 }) });
const scenarioFigures = { planningFigure: nullable(int({ minimum: 0 })), capacityPerDay: nullable(int({ minimum: 0 })), places: arr(place) };
const scenarioVersion = obj({
  version: int({ minimum: 1 }),
  type: oneOfEnum(['ScenarioSet', 'ScenarioWithdrawn']),
  recordedBy: str(),
  recordedAt: instant(),
  reason: str(),
  ...scenarioFigures,
});
export const SCENARIO_SCHEMA = obj({
  target: str({ description: 'A route (AF>IR>TR) or a border crossing point code' }),
  targetKind: oneOfEnum(['route', 'borderCrossingPoint']),
  status: oneOfEnum(['active', 'withdrawn']),
  version: int({ minimum: 1 }),
  ...scenarioFigures,
  capacityPerWeek: nullable(int({ description: 'capacityPerDay × 7' })),
  reason: str(),
  recordedBy: str(),
  recordedAt: instant(),
  history: arr(scenarioVersion),
});
export const SCENARIOS_SCHEMA = obj({ scenarios: arr(SCENARIO_SCHEMA) });

const forecastWeek = obj({
  step: int({ minimum: 1 }),
  week: str({ description: 'ISO week, e.g. 2026-W49' }),
  start: date(),
  point: int(),
  lower80: int(),
  upper80: int(),
  lower95: int(),
  upper95: int(),
});
const forecastAlert = obj({
  route: str(),
  figure: oneOfEnum(['planningFigure', 'capacity']),
  limit: int({ description: 'The planning figure, or capacity per day × 7' }),
  scenarioVersion: int(),
  level: int({ enum: [80, 95] }),
  week: str({ description: 'The first forecast week whose interval top goes over the limit' }),
  start: date(),
  step: int(),
  point: int(),
  upper: int(),
  expected: bool(),
  expectedWeek: nullable(str({ description: 'The first week whose point forecast goes over it' })),
});
export const FORECASTS_SCHEMA = obj({
  query: anyObject('The question as understood: routes, categories, byCategory, level'),
  release: nullable(release),
  from: date(),
  to: date(),
  horizon: int(),
  level: int({ enum: [80, 95] }),
  flowsQuery: anyObject('The GET /v1/flows question the forecast read (weekly, groupBy route [, category], coarser=exclude)'),
  series: arr(
    obj(
      {
        route: str(),
        category: str(),
        history: arr(obj({ week: str(), start: date(), count: int() })),
        forecast: nullable(
          obj({
            model: oneOfEnum(['seasonal', 'damped-trend', 'naive']),
            params: nullable(anyObject('The smoothing constants alpha, beta, phi, gamma')),
            historyWeeks: int(),
            closureWeeks: int(),
            closed: bool(),
            weeks: arr(forecastWeek),
          }),
        ),
        scenario: nullable(
          obj({ target: str(), version: int(), planningFigure: nullable(int()), capacityPerDay: nullable(int()), capacityPerWeek: nullable(int()) }),
        ),
        exceedance: nullable(anyObject('exceedance.ts: per week, each limit judged by the point forecast and by the interval top')),
        alerts: arr(forecastAlert),
        note: nullable(str()),
      },
      ['category'],
    ),
  ),
  alerts: arr(forecastAlert),
  disclosure: DISCLOSURE_SCHEMA,
});

const termsStatus = obj({
  provider: str(),
  agreementId: uuid(),
  recipient: str(),
  furtherRecipients: arr(str()),
  activation: oneOfEnum(['at-node', 'on-critical-surge']),
  maxDays: int(),
  status: oneOfEnum(['in-effect', 'no-longer', 'not-activated']),
  activatedAt: nullable(instant()),
  activatedBy: nullable(oneOfEnum(['at-node', 'critical-surge'])),
  alertId: nullable(str()),
  until: nullable(instant()),
});
export const EMERGENCY_SCHEMA = obj({
  emergencyId: uuid(),
  status: oneOfEnum(['in-force', 'ended', 'expired']),
  routes: arr(str()),
  borderCrossingPoints: arr(str()),
  days: int(),
  reason: str(),
  declaredAt: instant(),
  endsAt: instant(),
  endedAt: nullable(instant()),
  endReason: nullable(str()),
  statesConcerned: arr(str()),
  terms: { ...arr(termsStatus), description: "The secretariat: every concerned state's emergency terms and their status; a state: its own; others: none" },
  appliesToYou: {
    ...arr(obj({ provider: str(), agreementId: uuid(), as: oneOfEnum(['direct', 'further', 'anyone']), activatedAt: instant(), until: instant() })),
    description: 'The states whose emergency terms apply to the caller now',
  },
});
export const EMERGENCIES_SCHEMA = obj({ emergencies: arr(EMERGENCY_SCHEMA) });
export const EMERGENCY_SHARED_SCHEMA = obj({
  emergencyId: uuid(),
  entries: arr({
    ...obj({
      id: int(),
      at: instant(),
      principal: str(),
      endpoint: str(),
      purpose: nullable(str()),
      agreements: arr(anyObject('An agreement applied under the emergency terms: provider, agreement, k, granularity, emergency')),
    }),
    description:
      'A query or feed item answered with a part under the emergency terms, reduced to when, who, which endpoint, why and which terms (no parameters, no counts)',
  }),
  next: nullable(int()),
});
