import { LABELS, labelOf, readLabelled } from '@caravanserai/contracts';
import { ALERT_SCOPES } from '../alerts/domain/alert-decisions';
import { SEVERITIES } from '../alerts/domain/surge-detector';
import { Grant, planFlows } from '../disclosure/domain/policy';
import { FEED_ITEM_KINDS } from '../answers/feed-item';
import { FLOW_DIMENSIONS, GRANULARITIES } from '../answers/flow-answer';
import { FORECAST_MODELS, SCENARIO_FIGURES } from '../forecast/domain/served-forecast';
import { REFERRAL_DIMENSIONS } from '../answers/referral-summary';
import { RELEASE_FREQUENCIES } from '../releases/domain/release';

/** The aggregator's own code lists and texts have words in the shared catalogue
 * (libs/contracts/src/reference/labels.ts), so that /v1/reference and the console cover them. */
describe('labels of the aggregator’s codes', () => {
  const cases: [keyof typeof LABELS, readonly string[]][] = [
    ['dimensions', FLOW_DIMENSIONS],
    ['dimensions', REFERRAL_DIMENSIONS],
    ['timeGranularities', GRANULARITIES],
    ['alertSeverities', SEVERITIES],
    ['alertScopes', ALERT_SCOPES],
    ['releaseFrequencies', RELEASE_FREQUENCIES],
    ['feedItemKinds', FEED_ITEM_KINDS],
    ['forecastModels', FORECAST_MODELS],
    ['scenarioFigures', SCENARIO_FIGURES],
  ];

  it.each(cases)('labels every code of the aggregator’s %s', (list, codes) => {
    for (const code of codes) expect([code, LABELS[list][code]?.en, /[А-Яа-яЁё]/.test(LABELS[list][code]?.ru ?? '')]).toEqual([code, expect.any(String), true]);
  });

  const grant = (over: Partial<Grant> = {}): Grant => ({
    agreementId: 'g-1',
    provider: 'IR',
    recipient: 'secretariat',
    scope: { eventKinds: ['movements'] },
    dimensions: ['route', 'category'],
    minTimeGranularity: 'month',
    minGeoGranularity: 'country',
    minCellSize: 5,
    embargoDays: 0,
    validFrom: '2026-01-01',
    validUntil: null,
    purpose: 'test',
    status: 'active',
    version: 1,
    grantedAt: '2026-01-01T00:00:00Z',
    ...over,
  });
  const plan = (dimensionsUsed: string[], grants: Grant[], coarser?: 'exclude') =>
    planFlows(
      { from: '2026-03-10', to: '2026-03-12', granularity: 'day', dimensionsUsed, coarser },
      { id: 'secretariat' },
      grants,
      ['IR'],
      'movements',
      '2026-06-15',
    );

  it('reads every reason the disclosure block gives as one of the disclosureReasons templates, values and all', () => {
    const texts = [
      ...plan(['route', 'sex', 'citizenship'], [grant()]).leftOut.map((l) => l.reason),
      ...plan(['borderCrossingPoint'], [grant({ dimensions: ['borderCrossingPoint'] })]).leftOut.map((l) => l.reason),
      ...plan(['route'], [grant()], 'exclude').leftOut.map((l) => l.reason),
      ...plan(['route'], [grant()]).coarsened,
    ];
    const read = texts.map((text) => readLabelled('disclosureReasons', text));
    expect(read).toEqual([
      { code: 'dimensions_not_allowed', args: ['sex, citizenship'] },
      { code: 'country_level_only', args: [] },
      { code: 'granularity_too_fine', args: ['month', 'day'] },
      { code: 'granularity_raised', args: ['day', 'month', 'g-1', 'IR'] },
      { code: 'period_widened', args: ['month', '2026-03-01', '2026-03-31'] },
    ]);
    // Filled back in, the English template gives the very text.
    for (const [i, r] of read.entries()) expect(labelOf('disclosureReasons', r!.code, 'en', ...r!.args)).toBe(texts[i]);
    expect(labelOf('disclosureReasons', 'granularity_too_fine', 'ru', 'месяц', 'день')).toBe(
      'соглашение разрешает шаг не мельче, чем «месяц», а запрошен «день»',
    );
  });
});
