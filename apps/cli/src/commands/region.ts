import { readFileSync } from 'node:fs';
import type { CliCommand } from './command';

/** A service to call: its base URL and the admin key it takes (`URL=KEY`, or `URL=@file`). */
interface Target {
  url: string;
  key: string;
}

class RegionError extends Error {}

function parseTarget(spec: string, what: string): Target {
  const at = spec.indexOf('=');
  if (at <= 0) throw new RegionError(`${what}: expected URL=ADMIN_KEY or URL=@KEY_FILE (got "${spec.slice(0, 40)}")`);
  const url = spec.slice(0, at).replace(/\/+$/, '');
  let key = spec.slice(at + 1);
  if (!/^https?:\/\//.test(url)) throw new RegionError(`${what}: ${url} is not an http(s) URL`);
  if (key.startsWith('@')) key = readFileSync(key.slice(1), 'utf8').split(/\r?\n/)[0].trim();
  if (!key) throw new RegionError(`${what}: no key for ${url}`);
  return { url, key };
}

function options(args: string[], allowed: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i]?.startsWith('--') ? args[i].slice(2) : null;
    if (!name || !allowed.includes(name)) throw new RegionError(`unknown argument "${args[i]}" (expected ${allowed.map((a) => `--${a}`).join(', ')})`);
    if (args[i + 1] === undefined || args[i + 1].startsWith('--')) throw new RegionError(`--${name} needs a value`);
    out[name] = args[i + 1];
  }
  return out;
}

async function call<T>(target: Target, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${target.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${target.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new RegionError(`${method} ${target.url}${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

interface NodeStatus {
  state: string;
  events: number;
  counted: number;
  outboxBacklog: number;
}
interface AggregatorNodes {
  providers: { provider: string; eventsReceived: number }[];
  lag: { total: number | null; brokerReachable: boolean };
  quarantine?: unknown;
}

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

/**
 * `region rebuild`: every node republishes its history, then the command waits until the
 * aggregator holds, for each node, as many events as the node does, with no consumer lag and
 * every outbox empty; with `--release-until` it then cuts a release (docs/operations.md, "Rebuild
 * the region from the nodes").
 */
async function rebuild(args: string[]): Promise<number> {
  const opts = options(args, ['nodes', 'aggregator', 'timeout-s', 'release-until', 'no-republish']);
  if (!opts.nodes || !opts.aggregator) throw new RegionError('--nodes URL=KEY[,URL=KEY…] and --aggregator URL=KEY are required');
  const nodes = opts.nodes.split(',').map((s) => parseTarget(s.trim(), '--nodes'));
  const aggregator = parseTarget(opts.aggregator, '--aggregator');
  const timeoutMs = Number(opts['timeout-s'] ?? 3600) * 1000;
  if (opts['release-until'] && !/^\d{4}-\d{2}-\d{2}$/.test(opts['release-until'])) throw new RegionError('--release-until must be YYYY-MM-DD');
  const started = Date.now();

  // Every key is checked before anything is queued.
  const states = new Map<Target, string>();
  for (const node of nodes) states.set(node, (await call<NodeStatus>(node, 'GET', '/v1/republication')).state);
  await call<AggregatorNodes>(aggregator, 'GET', '/v1/nodes');

  if (opts['no-republish'] !== 'true') {
    for (const node of nodes) {
      const r = await call<{ state: string; queued: number; lockedMs: number }>(node, 'POST', '/v1/republication');
      console.log(`${r.state}: ${r.queued} events queued for republication (appends waited ${r.lockedMs} ms)`);
    }
  }

  let lastReport = 0;
  for (;;) {
    const statuses = await Promise.all(nodes.map((n) => call<NodeStatus>(n, 'GET', '/v1/republication')));
    const agg = await call<AggregatorNodes>(aggregator, 'GET', '/v1/nodes');
    const received = new Map(agg.providers.map((p) => [p.provider, p.eventsReceived]));
    const behind = statuses.filter((s) => s.outboxBacklog > 0 || (received.get(s.state) ?? 0) !== s.counted);
    const lag = agg.lag.brokerReachable ? agg.lag.total : null;
    if (behind.length === 0 && lag === 0) {
      console.log(`rebuilt in ${seconds(started)} s: ${statuses.map((s) => `${s.state} ${s.counted}`).join(', ')} events at the aggregator, lag 0`);
      break;
    }
    const line = statuses.map((s) => `${s.state} ${received.get(s.state) ?? 0}/${s.counted} (outbox ${s.outboxBacklog})`).join(', ');
    if (Date.now() - started > timeoutMs) {
      throw new RegionError(
        `not converged after ${seconds(started)} s: ${line}; lag ${lag ?? 'unknown'}; quarantine ${JSON.stringify(agg.quarantine ?? null)}`,
      );
    }
    if (Date.now() - lastReport > 10_000) {
      console.log(`${seconds(started)} s: ${line}; lag ${lag ?? 'unknown'}`);
      lastReport = Date.now();
    }
    await new Promise((r) => setTimeout(r, 1000));
  }

  if (opts['release-until']) {
    const release = await call<{ releaseId?: unknown; id?: unknown }>(aggregator, 'POST', '/v1/releases', {
      dataUntil: opts['release-until'],
      reason: 'region rebuilt from the nodes',
    });
    console.log(`release cut: ${JSON.stringify(release)}`);
  }
  return 0;
}

export const regionCommand: CliCommand = {
  name: 'region',
  usage: [
    'region rebuild --nodes URL=ADMIN_KEY[,URL=ADMIN_KEY…] --aggregator URL=ADMIN_KEY [--release-until YYYY-MM-DD] [--timeout-s 3600] [--no-republish true]   (a key may be @FILE)',
  ],
  async run(action, args) {
    try {
      if (action === 'rebuild') return await rebuild(args);
      throw new RegionError(`unknown action "${action ?? ''}" (expected rebuild)`);
    } catch (e) {
      if (e instanceof RegionError) {
        console.error(`region: ${e.message}`);
        return 2;
      }
      throw e;
    }
  },
};
