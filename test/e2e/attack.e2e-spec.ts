import { BORDER_CROSSING_POINTS, MovementRecorded } from '@caravanserai/contracts';
import { agreementGranted, movementRecorded, movementRetracted, RunningRegion, startRegion, waitFor } from '@caravanserai/testing';
import { attack, AttackReport, formatReports, HighsLike, Knowledge, Snapshot } from '../attack/attacker';
import {
  Answer,
  answerCellKey,
  atomSpace,
  figuresOf,
  grantsOf,
  Moment,
  Movement,
  planOf,
  Question,
  questions,
  randomRegion,
  Region,
  ruleOf,
  secondRecords,
  truthOf,
} from '../attack/campaign';

import highs from 'highs';

/** The HiGHS solver as the attacker drives it (HighsLike: the few calls it makes). */
const loadHighs = highs as unknown as () => Promise<HighsLike>;

/**
 * The attack suite on the real services (issue 13): a random region's grants and movements are
 * published, signed, straight to the broker; the real aggregator answers from its releases. A
 * curious recipient (the secretariat, and a state that knows its own part) asks every question its
 * grants allow, then late records and a retraction arrive — the answers must not move — then a new
 * release, and every question again. The attacker, knowing every answer, must recover no protected
 * figure below k exactly. The answers are also checked figure for figure against the simulation
 * the unit suite attacks (with the database's secret), so the two suites attack the same thing.
 */
describe('attack suite on the real aggregator', () => {
  const today = new Date().toISOString().slice(0, 10);
  const monthDate = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 3, 1));
  const month = monthDate.toISOString().slice(0, 7);
  const region: Region = randomRegion(7, month);
  const grants = grantsOf(region);
  const callers = ['secretariat', `state:${(region.providers.find((p) => p.k > 1) ?? region.providers[0]).code}`];
  const envelopes = new Map<string, MovementRecorded>();
  let running: RunningRegion;
  let highs: HighsLike;

  const envelopeOf = (m: Movement): MovementRecorded => {
    const bcp = BORDER_CROSSING_POINTS.find((b) => b.state === m.provider);
    if (!bcp) throw new Error(`no border crossing point in ${m.provider}`);
    const [departedFrom, , intendedDestination] = m.route.split('>');
    const e = movementRecorded({
      provider: m.provider,
      occurredOn: m.day,
      data: { departedFrom, intendedDestination, category: m.category as never, borderCrossingPoint: bcp.code },
    });
    m.eventId = e.eventId;
    envelopes.set(e.eventId, e);
    return e;
  };
  const projected = async () => Number((await running.pool.query('SELECT coalesce(sum(count), 0) AS n FROM flow_counts')).rows[0].n);
  const cutRelease = async (): Promise<Moment> => ({ today, dataUntil: (await running.release({ reason: 'attack suite' })).dataUntil });
  const url = (q: Question) => {
    const params = new URLSearchParams({ from: region.from, to: region.to, granularity: q.granularity });
    if (q.groupBy.length) params.set('groupBy', q.groupBy.join(','));
    if (q.providers) params.set('providers', q.providers.join(','));
    if (q.routes) params.set('routes', q.routes.join(','));
    if (q.categories) params.set('categories', q.categories.join(','));
    if (q.coarser) params.set('coarser', q.coarser);
    return `${running.aggregator.url}/v1/flows?${params}`;
  };
  /** Every question of the campaign for one caller, answered by the service (a few at a time). */
  const askAll = async (caller: string, qs: Question[]): Promise<Answer[]> => {
    const out: Answer[] = new Array(qs.length);
    for (let i = 0; i < qs.length; i += 8) {
      await Promise.all(
        qs.slice(i, i + 8).map(async (q, j) => {
          const res = await fetch(url(q), { headers: running.as(caller) });
          if (res.status !== 200) throw new Error(`${url(q)}: ${res.status} ${await res.text()}`);
          out[i + j] = (await res.json()) as Answer;
        }),
      );
    }
    return out;
  };
  const comparable = (a: Answer) =>
    JSON.stringify({ granularity: a.granularity, from: a.from, to: a.to, rows: a.rows, totals: { count: a.totals.count, byPeriod: a.totals.byPeriod } });
  const sorted = (a: Answer): Answer => ({
    ...a,
    rows: [...a.rows].sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1)),
    totals: { ...a.totals, byPeriod: [...a.totals.byPeriod].sort((x, y) => (x.period < y.period ? -1 : 1)) },
  });

  beforeAll(async () => {
    highs = await loadHighs();
    running = await startRegion({ name: 'e2e-attack', readers: callers, aggregatorEnv: { RATE_LIMIT_MAX: '1000000' } });
  });

  afterAll(() => running?.close());

  it('gives a curious recipient nothing exact across releases, late records and a retraction', async () => {
    // The region's grants (to anyone), then the first month of movements.
    await running.publish(
      'agreements',
      grants.map((g) =>
        agreementGranted(g.provider, {
          recipient: '*',
          dimensions: g.dimensions,
          minTimeGranularity: g.minTimeGranularity,
          minGeoGranularity: 'country',
          minCellSize: g.minCellSize,
        }),
      ),
    );
    await waitFor(
      async () => {
        const list = (await (await fetch(`${running.aggregator.url}/v1/agreements`, { headers: running.as('secretariat') })).json()) as {
          agreements: unknown[];
        };
        return list.agreements.length === grants.length;
      },
      { timeoutMs: 60_000, what: 'the grants in the registry' },
    );
    // envelopeOf gives each record the event id of its envelope: the retraction follows its record.
    const toRetract = region.first.filter((m) => region.retracted.includes(m.eventId));
    await running.publish('movements', region.first.map(envelopeOf));
    region.retracted = toRetract.map((m) => m.eventId);
    await waitFor(async () => (await projected()) === region.first.length, { timeoutMs: 120_000, what: 'the first movements projected' });
    const first = await cutRelease();

    const secret: Buffer = (await running.pool.query('SELECT secret FROM cell_key_secret')).rows[0].secret;
    const asked = new Map<string, { qs: Question[]; answers: Answer[][] }>();
    for (const caller of callers) {
      const qs = questions(region, caller, 'cell-key', first);
      const answers = await askAll(caller, qs);
      // The service answers exactly as the simulation the unit suite attacks.
      qs.forEach((q, i) =>
        expect([JSON.stringify(q), comparable(sorted(answers[i]))]).toEqual([
          JSON.stringify(q),
          comparable(sorted(answerCellKey(region, region.first, caller, q, first, secret))),
        ]),
      );
      asked.set(caller, { qs, answers: [answers] });
    }

    // Late records and a retraction arrive: until the next release, no answer moves.
    const late = region.added.map(envelopeOf);
    const retracted = region.retracted.map((id) => movementRetracted(envelopes.get(id)!));
    await running.publish('movements', [...late, ...retracted]);
    await waitFor(async () => (await projected()) === secondRecords(region).length, { timeoutMs: 120_000, what: 'late records and the retraction projected' });
    for (const caller of callers) {
      const { qs, answers } = asked.get(caller)!;
      const again = await askAll(caller, qs);
      again.forEach((a, i) => expect(comparable(a)).toBe(comparable(answers[0][i])));
    }

    // A new release: every question again.
    const second = await cutRelease();
    expect(second.dataUntil).toBe(first.dataUntil);
    const rows: { label: string; report: AttackReport }[] = [];
    for (const caller of callers) {
      const { qs, answers } = asked.get(caller)!;
      answers.push(await askAll(caller, qs));
      // Attack with knowledge of every answer.
      const space = atomSpace(
        region,
        caller,
        qs.map((q) => planOf(region, caller, q, first)),
        today,
      );
      const own = caller.startsWith('state:') ? caller.slice(6) : null;
      const truth = [truthOf(space, region.first), truthOf(space, secondRecords(region))];
      const snapshots: Snapshot[] = answers.map((round, s) => {
        const known = new Map<number, number>();
        space.atoms.forEach((a, i) => a.provider === own && known.set(i, truth[s][i]));
        return {
          known,
          figures: qs.flatMap((q, i) => figuresOf(space, planOf(region, caller, q, s === 0 ? first : second), q, round[i], 'cell-key', JSON.stringify(q))),
        };
      });
      const knowledge: Knowledge = { method: 'cell-key', atomProvider: space.atoms.map((a) => a.provider), rule: ruleOf(region, caller, today), snapshots };
      const report = attack(highs, knowledge, truth, 40);
      rows.push({ label: `e2e ${caller} cell-key`, report });
      expect(report.algebra.targets).toBeGreaterThan(0);
      for (const r of [report.algebra, report.bounds, report.differencing]) expect({ exact: r.exact, unsound: r.unsound }).toEqual({ exact: 0, unsound: 0 });
    }
    console.log(
      `attack suite on the real aggregator (region 7, ${month}; ${[...asked.values()].map((a) => a.qs.length).join(' + ')} questions per release)\n${formatReports(rows)}`,
    );
  });
});
