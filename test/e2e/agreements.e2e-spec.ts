import { batches, generateMovements, OPEN_TERMS, postMovements, SyntheticMovement, toRawMovement } from '@caravanserai/synthetic';
import { RunningRegion, startRegion, uniqueSuffix, waitFor } from '@caravanserai/testing';
import { Pool } from 'pg';
import { possibleCounts } from '../../apps/aggregator/src/disclosure/domain/cell-key';

/**
 * Three providers with different grants, asked as the secretariat, a state and an organisation:
 * each answer checked cell by cell against what the grants allow.
 */
describe('data-sharing agreements, end to end', () => {
  const suffix = uniqueSuffix();
  const from = '2026-03-01';
  const to = '2026-03-31';
  const posted: SyntheticMovement[] = [];
  let afGrant = '';
  // Keys: a reader key at the aggregator per principal asking; each node's ingest and admin keys.
  let region: RunningRegion;
  /** Answers move only with releases: the aggregator's admin cuts one holding the whole month. */
  const release = () => region.release({ dataUntil: to });

  type Row = { period: string; route?: string; category?: string; count: number };
  type Answer = {
    rows: Row[];
    totals: { count: number };
    disclosure: { agreements: { provider: string; agreement: string }[]; leftOut: { provider: string; reason: string }[] };
  };
  const ask = async (principal: string, query: string): Promise<Answer> => {
    const res = await fetch(`${region.aggregator.url}/v1/flows?from=${from}&to=${to}&granularity=month&${query}`, { headers: region.as(principal) });
    expect(res.status).toBe(200);
    return (await res.json()) as Answer;
  };
  const count = (records: SyntheticMovement[], key: (m: SyntheticMovement) => string) => {
    const out: Record<string, number> = {};
    for (const m of records) out[key(m)] = (out[key(m)] ?? 0) + 1;
    return out;
  };
  const routeOf = (m: SyntheticMovement) => `${m.departedFrom ?? 'ZZ'}>${m.provider}>${m.intendedDestination ?? 'ZZ'}`;
  const asCells = (rows: Row[], key: (r: Row) => string) => Object.fromEntries(rows.map((r) => [key(r), r.count]));

  beforeAll(async () => {
    region = await startRegion({ name: 'e2e-agr', states: ['AF', 'IR', 'PK'], readers: ['secretariat', 'state:AF', 'state:IR', 'state:PK', 'org:UNHCR'] });
    const records = [...generateMovements({ seed: 11, from, to, scale: 0.004, providers: ['AF', 'IR', 'PK'], recordIdPrefix: `AGR${suffix}-` })];
    for (const state of ['AF', 'IR', 'PK']) {
      for (const batch of batches(
        records.filter((r) => r.provider === state),
        1000,
      )) {
        await postMovements(region.node(state).url, batch.map(toRawMovement), region.ingest(state));
        posted.push(...batch);
      }
    }
  });

  afterAll(() => region?.close());

  it('holds every provider’s data until it grants something: nobody sees anything', async () => {
    // Wait until the aggregator has received everything (its node status counts received events;
    // the counts are the admin's: the secretariat sees no volumes, and none of states that granted it nothing).
    await waitFor(
      async () => {
        const res = await (await fetch(`${region.aggregator.url}/v1/nodes`, { headers: region.as('admin') })).json();
        return (res as { providers: { eventsReceived: number }[] }).providers.reduce((s, p) => s + p.eventsReceived, 0) === posted.length;
      },
      { timeoutMs: 120_000, what: 'every movement received' },
    );
    await release();
    for (const who of ['secretariat', 'state:AF', 'org:UNHCR']) {
      const answer = await ask(who, 'groupBy=route');
      expect(answer.rows).toEqual([]);
    }
  });

  it('projects the held data once grants arrive, and shows each caller exactly what its grants allow', async () => {
    afGrant = await region.grant('AF', { ...OPEN_TERMS, recipient: 'secretariat' });
    await region.grant('IR', {
      ...OPEN_TERMS,
      recipient: 'secretariat',
      minTimeGranularity: 'month',
      dimensions: ['route', 'category'],
      scope: { eventKinds: ['movements'], categories: { exclude: ['victim_of_trafficking'] } },
    });
    await region.grant('IR', { ...OPEN_TERMS, recipient: 'org:UNHCR', minTimeGranularity: 'month', dimensions: ['category'], minCellSize: 10 });
    await region.grant('PK', { ...OPEN_TERMS, recipient: 'org:UNHCR' });

    // Agreements travel through Kafka like everything else: wait until the registry has all four.
    await waitFor(
      async () => {
        const list = (await (await fetch(`${region.aggregator.url}/v1/agreements`, { headers: region.as('secretariat') })).json()) as { agreements: unknown[] };
        return list.agreements.length === 4;
      },
      { timeoutMs: 60_000, what: 'four agreements in the registry' },
    );
    // Each state sees its own data in full once pooled: wait for all of it.
    for (const state of ['AF', 'IR', 'PK']) {
      const mine = posted.filter((m) => m.provider === state).length;
      await waitFor(
        async () => {
          await release();
          return (await ask(`state:${state}`, `providers=${state}`)).totals.count === mine;
        },
        { timeoutMs: 120_000, what: `${state}'s ${mine} movements projected` },
      );
    }

    // The secretariat: AF in full, IR without victims of trafficking, nothing of PK.
    const secretariat = await ask('secretariat', 'groupBy=route,category');
    const seen = posted.filter((m) => m.provider === 'AF' || (m.provider === 'IR' && m.category !== 'victim_of_trafficking'));
    expect(asCells(secretariat.rows, (r) => `${r.route} ${r.category}`)).toEqual(count(seen, (m) => `${routeOf(m)} ${m.category}`));
    expect(secretariat.disclosure.agreements.map((a) => a.provider).sort()).toEqual(['AF', 'IR']);
    expect(JSON.stringify(secretariat)).not.toMatch(/"PK"|>PK>/);

    // A state that was granted nothing sees only its own data.
    const pk = await ask('state:PK', 'groupBy=route,category');
    expect(asCells(pk.rows, (r) => `${r.route} ${r.category}`)).toEqual(
      count(
        posted.filter((m) => m.provider === 'PK'),
        (m) => `${routeOf(m)} ${m.category}`,
      ),
    );

    // UNHCR by category: IR (k = 10, protected) and PK (k = 1, exact) mixed in each cell. PK's part
    // is exact, so what is above it is IR's part as published: never an IR count below 10 as itself.
    const unhcr = await ask('org:UNHCR', 'groupBy=category');
    const parts: Record<string, Record<string, number>> = {};
    for (const m of posted.filter((x) => x.provider !== 'AF')) {
      parts[m.category] ??= {};
      parts[m.category][m.provider] = (parts[m.category][m.provider] ?? 0) + 1;
    }
    const shown = asCells(unhcr.rows, (r) => r.category!);
    for (const category of Object.keys(parts)) {
      const pk = parts[category].PK ?? 0;
      const ir = parts[category].IR ?? 0;
      const irPublished = (shown[category] ?? 0) - pk;
      const range = possibleCounts(irPublished, 10);
      expect([category, ir >= range.min && ir <= range.max]).toEqual([category, true]);
      if (ir > 0 && ir < 10) expect([0, 10]).toContain(irPublished);
    }
    expect(unhcr.disclosure).toMatchObject({ method: { exact: ['PK'], protected: [{ provider: 'IR', k: 10 }] } });
    // By route, IR's grant to UNHCR does not allow it: IR is left out, and says why.
    const unhcrByRoute = await ask('org:UNHCR', 'groupBy=route');
    expect(unhcrByRoute.disclosure.leftOut).toEqual([expect.objectContaining({ provider: 'IR', reason: 'the agreement does not allow route' })]);
    expect(unhcrByRoute.rows.every((r) => r.route!.split('>')[1] === 'PK')).toBe(true);
  });

  it("refuses a forged revocation of Afghanistan's grant (its ingest key: 403; Iran's admin key: 401), recording nothing", async () => {
    const events = async () => {
      const pool = new Pool({ connectionString: region.nodeDbs.get('AF'), max: 1 });
      try {
        return Number((await pool.query('SELECT count(*) FROM events')).rows[0].count);
      } finally {
        await pool.end();
      }
    };
    const before = await events();
    const forge = (headers: Record<string, string>) =>
      fetch(`${region.node('AF').url}/v1/agreements/${afGrant}/revocation`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ reason: 'forged' }),
      });
    expect((await forge(region.ingest('AF'))).status).toBe(403);
    expect((await forge(region.nodeAdmin('IR'))).status).toBe(401);
    expect((await forge({})).status).toBe(401);
    const amend = await fetch(`${region.node('AF').url}/v1/agreements/${afGrant}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...region.ingest('AF') },
      body: JSON.stringify({ minCellSize: 100 }),
    });
    expect(amend.status).toBe(403);
    expect(await events()).toBe(before);
    const registry = (await (await fetch(`${region.aggregator.url}/v1/agreements`, { headers: region.as('secretariat') })).json()) as {
      agreements: { agreementId: string; status: string }[];
    };
    expect(registry.agreements.find((a) => a.agreementId === afGrant)?.status).toBe('active');
  });

  it('stops showing a provider once it revokes, from the next query after the revocation arrives', async () => {
    const res = await fetch(`${region.node('AF').url}/v1/agreements/${afGrant}/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...region.nodeAdmin('AF') },
      body: JSON.stringify({ reason: 'end of the pilot' }),
    });
    expect(res.status).toBe(201);
    await waitFor(
      async () => {
        const list = (await (await fetch(`${region.aggregator.url}/v1/agreements`, { headers: region.as('secretariat') })).json()) as {
          agreements: { agreementId: string; status: string }[];
        };
        return list.agreements.find((a) => a.agreementId === afGrant)?.status === 'revoked';
      },
      { timeoutMs: 60_000, what: 'the revocation in the registry' },
    );
    // No new release: the revocation bites on the release already published.
    const after = await ask('secretariat', 'groupBy=route');
    expect(after.disclosure.agreements.map((a) => a.provider)).toEqual(['IR']);
    expect(after.rows.every((r) => r.route!.split('>')[1] === 'IR')).toBe(true);
  });
});
