import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

export const ROOT = resolve(__dirname, '../..');
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const now = () => performance.now();
export const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Peak and current resident set and CPU seconds of a live process, from /proc. */
export function procStats(pid: number): { peakRssMiB: number; rssMiB: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): utime, stime in ticks.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { peakRssMiB: kb('VmHWM') / 1024, rssMiB: kb('VmRSS') / 1024, cpuSeconds: (Number(f[11]) + Number(f[12])) / 100 };
}

/** CPU seconds the whole machine spent busy (every core; /proc/stat, all but idle and iowait). */
export function machineBusySeconds(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return (user + nice + system + irq + softirq + steal) / 100;
}

/** CPU seconds of each live process whose command line contains `marker` (e.g. the PostgreSQL
 * backends of one database, named in their process title), by pid. */
export function cpuByProcess(marker: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) continue;
      out.set(Number(entry), procStats(Number(entry)).cpuSeconds);
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** CPU seconds spent between two `cpuByProcess` readings (a process new in the second counts in full). */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, s] of after) sum += s - (before.get(pid) ?? 0);
  return sum;
}

/** A built service running as its own process (as libs/testing's ServiceProcess, plus node flags
 * and /proc figures). `entry` is the compiled main.js, or a start script that execs node (so the
 * child's pid is node's and its /proc figures are the service's). */
export class Service {
  private constructor(
    readonly name: string,
    readonly url: string,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {}

  static async start(name: string, entry: string, env: Record<string, string>, port: number, logDir: string, nodeArgs: string[] = []): Promise<Service> {
    const logFile = join(logDir, `${name}.log`);
    const out = createWriteStream(logFile);
    // A start script (apps/national-node/start.sh) runs the service as production does; node flags
    // (the profile hook) then go through NODE_OPTIONS, which the script passes on.
    const script = entry.endsWith('.sh');
    const nodeOptions = script && nodeArgs.length ? { NODE_OPTIONS: [process.env.NODE_OPTIONS, ...nodeArgs].filter(Boolean).join(' ') } : {};
    const child = spawn(script ? 'sh' : process.execPath, script ? [join(ROOT, entry)] : [...nodeArgs, join(ROOT, entry)], {
      cwd: ROOT,
      env: { ...process.env, ...env, ...nodeOptions, PORT: String(port), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    const s = new Service(name, `http://127.0.0.1:${port}`, child, logFile);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
      try {
        if ((await fetch(`${s.url}/v1/health`)).ok) return s;
      } catch {
        /* not listening yet */
      }
      await sleep(100);
    }
    await s.stop();
    throw new Error(`${name} did not become healthy: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
  }

  stats() {
    return procStats(this.child.pid!);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
  /** Peak RSS of the command and its children (GNU time), MiB. */
  peakRssMiB: number | null;
}

/** Runs a command to completion under /usr/bin/time (for its peak RSS) when available. */
export function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const timed = existsSync('/usr/bin/time');
  const t0 = now();
  return new Promise((res, rej) => {
    const child = spawn(timed ? '/usr/bin/time' : cmd, timed ? ['-f', '__MAXRSS_KB=%M', cmd, ...args] : args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', rej);
    child.on('close', (code) => {
      const m = /__MAXRSS_KB=(\d+)/.exec(stderr);
      res({
        code: code ?? -1,
        stdout,
        stderr: stderr.replace(/__MAXRSS_KB=\d+\n?/, ''),
        seconds: (now() - t0) / 1000,
        peakRssMiB: m ? Number(m[1]) / 1024 : null,
      });
    });
  });
}

export async function must(r: Promise<Run>, what: string): Promise<Run> {
  const x = await r;
  if (x.code !== 0) throw new Error(`${what} failed (${x.code}): ${(x.stderr || x.stdout).slice(-2000)}`);
  return x;
}

/** psql's \copy, timed: the client-side COPY of a CSV file into a table. */
export function copyIn(url: string, table: string, columns: string[], file: string): Promise<Run> {
  return must(
    run('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qc', `\\copy ${table} (${columns.join(', ')}) FROM '${file}' WITH (FORMAT csv)`]),
    `COPY into ${table}`,
  );
}
export function copyOut(url: string, query: string, file: string): Promise<Run> {
  return must(run('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qc', `\\copy (${query}) TO '${file}' WITH (FORMAT csv)`]), 'COPY out');
}

export async function withClient<T>(url: string, f: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

export const csv = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
