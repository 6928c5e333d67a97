import {
  CATEGORIES,
  DIRECTIONS,
  DOCUMENT_TYPES,
  PROVIDER_STATES,
  SEXES,
  SPECIFIC_NEEDS,
  ageBandOn,
  ageOn,
  findBorderCrossingPoint,
  isCountryCode,
} from '@caravanserai/contracts';
import {
  DEFAULT_ROUTES,
  GeneratorOptions,
  RouteSpec,
  SyntheticMovement,
  UTC_OFFSETS,
  batches,
  dateOfBirthFor,
  generateMovements,
  mulberry32,
  toRawMovement,
} from '@caravanserai/synthetic';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const base: GeneratorOptions = { seed: 42, from: '2026-03-01', to: '2026-03-07', scale: 0.05 };
const all = (opts: Partial<GeneratorOptions> = {}): SyntheticMovement[] => [...generateMovements({ ...base, ...opts })];
const routeById = (id: string): RouteSpec => DEFAULT_ROUTES.find((r) => r.id === id)!;
const countBy = <T>(items: T[], key: (t: T) => string): Record<string, number> =>
  items.reduce<Record<string, number>>((acc, t) => ((acc[key(t)] = (acc[key(t)] ?? 0) + 1), acc), {});
const day = (r: SyntheticMovement): string => r.crossedAt.slice(0, 10);

describe('generateMovements', () => {
  const week = all();

  it('is deterministic: the same seed gives the same records, another seed others', () => {
    expect(all()).toEqual(week);
    expect(all({ seed: 43 }).slice(0, 50)).not.toEqual(week.slice(0, 50));
  });

  it('gives a route-day the same records whatever the range or the providers asked for', () => {
    expect([...all({ to: '2026-03-03' }), ...all({ from: '2026-03-04' })]).toEqual(week);
    expect(all({ providers: ['KZ'] })).toEqual(week.filter((r) => r.provider === 'KZ'));
  });

  it('yields records valid against the code lists and the crossing-point rule', () => {
    expect(week.length).toBeGreaterThan(3000);
    const problems = (r: SyntheticMovement): string[] => {
      const country = (c: string | null | undefined) => c === null || isCountryCode(c ?? '');
      const checks: Record<string, boolean> = {
        provider: (PROVIDER_STATES as readonly string[]).includes(r.provider),
        bcpState: findBorderCrossingPoint(r.borderCrossingPoint)?.state === r.provider,
        direction: (DIRECTIONS as readonly string[]).includes(r.direction),
        category: (CATEGORIES as readonly string[]).includes(r.category),
        sex: (SEXES as readonly string[]).includes(r.sex),
        citizenship: isCountryCode(r.citizenship),
        departedFrom: country(r.departedFrom),
        intendedDestination: country(r.intendedDestination),
        specificNeeds: (r.specificNeeds ?? []).every((n) => (SPECIFIC_NEEDS as readonly string[]).includes(n)),
        crossedAt: TIMESTAMP.test(r.crossedAt) && !Number.isNaN(Date.parse(r.crossedAt)),
        dateOfBirth: r.dateOfBirth == null || (/^\d{4}-\d{2}-\d{2}$/.test(r.dateOfBirth) && r.dateOfBirth <= day(r)),
        documentType: (DOCUMENT_TYPES as readonly string[]).includes(r.documentType ?? ''),
        personalData: Boolean(r.fullName && r.phone && r.address && r.notes),
        recordId: r.recordId.startsWith(`SYN-${r.provider}-`) && r.recordId.length <= 128,
        raw: !('provider' in toRawMovement(r)),
      };
      return Object.keys(checks)
        .filter((k) => !checks[k])
        .map((k) => `${r.recordId}: ${k}`);
    };
    expect(week.flatMap(problems)).toEqual([]);
    expect(new Set(week.map((r) => r.recordId)).size).toBe(week.length);
  });

  it("writes crossedAt in the provider's local offset, on the generated day, days in order", () => {
    const days = week.map(day);
    expect(days).toEqual([...days].sort());
    expect(new Set(days)).toEqual(new Set(['01', '02', '03', '04', '05', '06', '07'].map((d) => `2026-03-${d}`)));
    for (const r of week) {
      const m = Math.abs(UTC_OFFSETS[r.provider]);
      expect(r.crossedAt.slice(19)).toBe(`+${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
    }
  });

  it('keeps categories, ages and needs consistent', () => {
    const children = week.filter((r) => r.category === 'unaccompanied_child' || r.category === 'separated_child');
    expect(children.length).toBeGreaterThan(0);
    for (const r of children) {
      expect(r.specificNeeds).toContain('unaccompanied_or_separated_child');
      expect(ageOn(r.dateOfBirth!, day(r))).toBeLessThan(18);
    }
    for (const r of week.filter((x) => x.category === 'victim_of_trafficking')) expect(r.specificNeeds).toContain('trafficking_indicators');
    for (const r of week.filter((x) => x.category === 'stateless')) expect(r.citizenship).toBe('XX');
    const unknownAge = week.filter((r) => !r.dateOfBirth).length / week.length;
    expect(unknownAge).toBeGreaterThan(0.015);
    expect(unknownAge).toBeLessThan(0.05);
  });

  it('leaves out personal data on request', () => {
    for (const r of all({ withPersonalData: false, to: '2026-03-01' })) {
      for (const f of ['fullName', 'documentNumber', 'documentType', 'phone', 'address', 'notes']) expect(r).not.toHaveProperty(f);
    }
  });

  it('matches the relative magnitudes: returns to Afghanistan are the biggest flow', () => {
    const month = all({ from: '2026-03-01', to: '2026-03-30', scale: 0.01 });
    const expected = DEFAULT_ROUTES.reduce((s, r) => s + r.dailyVolume * (r.seasonality?.[2] ?? 1), 0) * 30 * 0.01;
    expect(month.length).toBeGreaterThan(expected * 0.9);
    expect(month.length).toBeLessThan(expected * 1.1);
    const byPoint = countBy(month, (r) => r.borderCrossingPoint);
    const top = Object.entries(byPoint).sort((a, b) => b[1] - a[1])[0][0];
    expect(top).toBe('AF-ISLAMQALA');
  });

  it('has a weekly rhythm: Fridays are quiet in Afghanistan', () => {
    const records = all({ routes: [routeById('AF:entry:IR>AF')], from: '2026-03-01', to: '2026-03-28', scale: 0.1, withPersonalData: false });
    const byWeekday = countBy(records, (r) => String(new Date(`${day(r)}T00:00:00Z`).getUTCDay()));
    expect(byWeekday['5'] / 4).toBeLessThan(0.8 * ((records.length - byWeekday['5']) / 24));
  });

  it('multiplies a surged route by about its factor, and only that route', () => {
    const routes = [routeById('TR:entry:IR>TR'), routeById('TR:entry:IR>DE')];
    const surges = [{ routeId: 'TR:entry:IR>TR', from: '2026-03-15', to: '2026-03-28', factor: 4 }];
    const records = all({ routes, surges, from: '2026-03-01', to: '2026-03-28', scale: 1, withPersonalData: false });
    const count = (id: string, surged: boolean) => records.filter((r) => r.intendedDestination === id.slice(-2) && day(r) >= '2026-03-15' === surged).length;
    expect(count('TR:entry:IR>TR', true) / count('TR:entry:IR>TR', false)).toBeGreaterThan(3.6);
    expect(count('TR:entry:IR>TR', true) / count('TR:entry:IR>TR', false)).toBeLessThan(4.4);
    expect(count('TR:entry:IR>DE', true) / count('TR:entry:IR>DE', false)).toBeGreaterThan(0.85);
    expect(count('TR:entry:IR>DE', true) / count('TR:entry:IR>DE', false)).toBeLessThan(1.15);
  });

  it("closes a point: no records there, its share moves to the route's other points", () => {
    const routes = [routeById('AF:entry:IR>AF'), routeById('KZ:entry:KG>KZ')];
    const closures = [
      { crossingPoint: 'AF-ISLAMQALA', from: '2026-03-03', to: '2026-03-05' },
      { crossingPoint: 'KZ-KORDAY', from: '2026-03-03', to: '2026-03-05' },
    ];
    const open = all({ routes, scale: 0.2 });
    const closed = all({ routes, scale: 0.2, closures });
    const inWindow = (r: SyntheticMovement) => day(r) >= '2026-03-03' && day(r) <= '2026-03-05';
    expect(closed.filter((r) => inWindow(r) && (r.borderCrossingPoint === 'AF-ISLAMQALA' || r.borderCrossingPoint === 'KZ-KORDAY'))).toEqual([]);
    expect(open.filter((r) => inWindow(r) && r.borderCrossingPoint === 'AF-ISLAMQALA').length).toBeGreaterThan(0);
    const afghan = (rs: SyntheticMovement[]) => rs.filter((r) => inWindow(r) && r.provider === 'AF').length;
    expect(afghan(closed)).toBe(afghan(open)); // same volume, other points
    expect(closed.filter((r) => !inWindow(r))).toEqual(open.filter((r) => !inWindow(r)));
  });

  it('rejects bad dates and a route with a crossing point of another state', () => {
    expect(() => all({ to: '2026-02-30' })).toThrow(/YYYY-MM-DD/);
    const bad = { ...routeById('AF:entry:IR>AF'), crossingPoints: ['IR-DOGHAROUN'] };
    expect(() => all({ routes: [bad] })).toThrow(/not in AF/);
  });
});

describe('dateOfBirthFor', () => {
  it('gives a birth date in the band on the crossing date, leap days included', () => {
    const rng = mulberry32(7);
    for (const d of ['2024-02-29', '2025-02-28', '2025-03-01', '2025-12-31', '2026-01-01', '2026-06-15']) {
      for (const band of ['0-4', '5-11', '12-17', '18-59', '60+'] as const) {
        for (let i = 0; i < 300; i++) expect(ageBandOn(dateOfBirthFor(rng, band, d), d)).toBe(band);
      }
      expect(dateOfBirthFor(rng, 'unknown', d)).toBeUndefined();
    }
  });
});

describe('batches', () => {
  it('cuts an iterable into arrays of at most the size', () => {
    expect([...batches([1, 2, 3, 4, 5], 2)]).toEqual([[1, 2], [3, 4], [5]]);
    expect([...batches([], 5000)]).toEqual([]);
    const sizes = [...batches(generateMovements({ ...base, to: '2026-03-01' }), 100)].map((b) => b.length);
    expect(sizes.slice(0, -1).every((s) => s === 100)).toBe(true);
  });
});
