import { createKafka } from '@caravanserai/messaging';
import { SyntheticMovement } from '@caravanserai/synthetic';
import { movementRecorded, RunningRegion, signed, testSigningKeys } from '@caravanserai/testing';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkExactlyAcknowledged, checkRebuildMatchesLive, cluster, startFaultRegion, SteadyLoad, summary, waitProjected } from './harness';

const ROOT = resolve(__dirname, '../..');

/** Fault 6: poison messages in the middle of the stream; quarantined with their reason, the rest
 * flows on; the one that can be fixed is replayed and then counts once. */
describe('fault 6: poison messages in the stream', () => {
  let region: RunningRegion;

  beforeAll(async () => {
    region = await startFaultRegion('poison');
  });
  afterAll(() => region?.close());

  const replay = (id: number, payload?: string) => {
    const args = ['dist/apps/aggregator/src/quarantine-replay.js', '--id', String(id)];
    if (payload !== undefined) {
      const file = join(mkdtempSync(join(tmpdir(), 'replay-')), 'fixed.json');
      writeFileSync(file, payload);
      args.push('--payload-file', file);
    }
    const run = spawnSync(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...testSigningKeys().aggregatorEnv(), DATABASE_URL: region.aggregatorDb, CONSUMER_GROUP: region.group, NO_COLOR: '1' },
      encoding: 'utf8',
    });
    return {
      code: run.status,
      outcome: JSON.parse(
        run.stdout
          .trim()
          .split('\n')
          .find((l) => l.startsWith('{')) ?? '{}',
      ),
    };
  };

  it('quarantines each poison message with its reason, lets the rest through, and replays the fixed one once', async () => {
    const load = new SteadyLoad(region, 100);
    load.start();
    await load.more(400);

    const good = signed(
      movementRecorded({ provider: 'IR', occurredOn: '2026-03-15', data: { departedFrom: 'AF', intendedDestination: 'TR', category: 'refugee' } }),
    );
    const { direction: _dropped, ...withoutDirection } = good.data;
    const poison = [
      { key: 'poison-not-json', value: '{"eventId": "oops", this is not JSON' },
      { key: 'poison-wrong-schema', value: JSON.stringify({ ...good, data: withoutDirection }) },
      { key: 'poison-unknown-type', value: JSON.stringify({ ...good, eventId: '0190f3c4-0000-7000-8000-000000000001', type: 'MovementTeleported' }) },
    ];
    const producer = createKafka('faults-poison', cluster.bootstrap().split(',')).producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const ackedAtPoison = load.count;
    const sentAt = Date.now();
    await producer.send({ topic: region.topic('movements'), acks: -1, messages: poison });
    await producer.disconnect();

    // The rest flows on: everything acknowledged before the poison, and more after it, is projected.
    await waitProjected(region, ackedAtPoison);
    const recoveryMs = Date.now() - sentAt;
    await load.more(400);
    const stats = await load.stop();
    const report = await checkExactlyAcknowledged(region, load.acknowledged);

    const page = await region.get('/v1/quarantine?status=all&limit=2', 'admin');
    expect(page.open).toBe(3);
    expect(page.items).toHaveLength(2);
    const rest = await region.get(`/v1/quarantine?status=all&after=${page.next}`, 'admin');
    const items: { id: number; key: string; reason: string }[] = [...page.items, ...rest.items];
    expect(rest.next).toBeNull();
    const byKey = new Map(items.map((i) => [i.key, i]));
    expect(byKey.get('poison-not-json')!.reason).toMatch(/^not JSON/);
    expect(byKey.get('poison-wrong-schema')!.reason).toMatch(/^invalid MovementRecorded: .*direction/);
    expect(byKey.get('poison-unknown-type')!.reason).toBe('unknown event type: "MovementTeleported"');

    // Not fixed, not replayable: stays open with nothing changed.
    const notJson = replay(byKey.get('poison-not-json')!.id);
    expect(notJson).toMatchObject({ code: 1, outcome: { status: 'rejected' } });
    // Fixed (the missing field put back): applied once, then refused as already replayed.
    const fixedId = byKey.get('poison-wrong-schema')!.id;
    expect(replay(fixedId, JSON.stringify(good))).toMatchObject({ code: 0, outcome: { status: 'applied', id: fixedId } });
    expect(replay(fixedId, JSON.stringify(good))).toMatchObject({ code: 1, outcome: { status: 'already_replayed' } });

    const open = await region.get('/v1/quarantine', 'admin');
    expect(open.items.map((i: { key: string }) => i.key).sort()).toEqual(['poison-not-json', 'poison-unknown-type']);
    const replayed = await region.get('/v1/quarantine?status=replayed', 'admin');
    expect(replayed.items).toMatchObject([{ id: fixedId, replayOutcome: 'applied', replayedPayload: JSON.stringify(good) }]);
    expect(replayed.items[0].replayedAt).toBeTruthy();
    expect(replayed.items[0].payload).toBe(poison[1].value);

    // The health signals agree: ready, and the quarantine size in the metrics and /v1/nodes.
    expect((await fetch(`${region.aggregator.url}/v1/health/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${region.aggregator.url}/metrics`, { headers: region.as('admin') })).text();
    expect(metrics).toMatch(/^caravanserai_quarantine_open 2$/m);
    expect(metrics).toMatch(/^caravanserai_quarantine_replayed 1$/m);
    expect(metrics).toMatch(/^caravanserai_consumer_lag\{topic="[^"]+",partition="0"\} 0$/m);
    expect(metrics).toMatch(/^caravanserai_provider_events_projected\{provider="IR"\} \d+$/m);
    expect((await region.get('/v1/nodes', 'admin')).quarantine).toMatchObject({ open: 2, replayed: 1 });

    // The replayed event now counts, exactly once; a projection rebuilt from the log agrees.
    const fixed = { provider: 'IR', departedFrom: 'AF', intendedDestination: 'TR', category: 'refugee' } as SyntheticMovement;
    await checkExactlyAcknowledged(region, load.acknowledged, new Map([[good.eventId, fixed]]));
    await checkRebuildMatchesLive(region);
    summary(
      '6 (poison messages)',
      stats,
      recoveryMs,
      report,
      `3 quarantined (not JSON, wrong schema, unknown type), 1 fixed and replayed once; rebuild = live`,
    );
  });
});
