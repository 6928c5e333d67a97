import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

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
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${service.log()}`);
      try {
        const res = await fetch(`${service.url}/v1/health`);
        if (res.ok) return service;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    await service.stop();
    throw new Error(`${name} did not become healthy in ${timeoutMs} ms:\n${service.log()}`);
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
