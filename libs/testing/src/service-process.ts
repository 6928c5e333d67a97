import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { waitFor } from './wait-for';

const ROOT = resolve(__dirname, '../../..');

/** A built service (from dist/) running as its own process, with its output in a log file. */
export class ServiceProcess {
  private constructor(
    readonly name: string,
    readonly url: string,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(name: string, entry: string, env: Record<string, string>, port: number, timeoutMs = 120_000): Promise<ServiceProcess> {
    const logDir = join(ROOT, '.run', 'test-logs');
    mkdirSync(logDir, { recursive: true });
    const logFile = join(logDir, `${name}-${port}.log`);
    const out = createWriteStream(logFile);
    const child = spawn(process.execPath, [join(ROOT, entry)], {
      cwd: ROOT,
      env: { ...process.env, ...env, PORT: String(port), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    const service = new ServiceProcess(name, `http://127.0.0.1:${port}`, logFile, child);
    // Healthy, or exited; a refused connection (not listening yet) is a probe that throws: not yet.
    const outcome = await waitFor(async () => (child.exitCode !== null ? 'exited' : (await fetch(`${service.url}/v1/health`)).ok && 'healthy'), {
      timeoutMs,
      intervalMs: 150,
      what: `${name} to become healthy`,
    }).catch(async (e: Error) => {
      await service.stop();
      throw new Error(`${e.message}:\n${service.log()}`);
    });
    if (outcome === 'exited') throw new Error(`${name} exited with ${child.exitCode}:\n${service.log()}`);
    return service;
  }

  /** How the process ended (both null while it runs). */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } {
    return { code: this.child.exitCode, signal: this.child.signalCode };
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** The log's lines, each parsed as the JSON object it must be (a line that is not throws). */
  logEntries(): Record<string, unknown>[] {
    return this.log()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, i) => {
        try {
          const entry = JSON.parse(line) as unknown;
          if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error('not an object');
          return entry as Record<string, unknown>;
        } catch {
          throw new Error(`${this.name} log line ${i + 1} is not a JSON object: ${line.slice(0, 200)}`);
        }
      });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}
