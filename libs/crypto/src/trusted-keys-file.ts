import { readFileSync, Stats, statSync } from 'node:fs';
import { EnvelopeVerifier, parseTrustedKeys, TrustedKeyRegistry, Verdict } from './trusted-keys';

/** Reads and checks a trust file; the error names the file and every problem in it. */
export function loadTrustedKeys(path: string): TrustedKeyRegistry {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path} is not JSON: ${(e as Error).message}`, { cause: e });
  }
  try {
    return new TrustedKeyRegistry(parseTrustedKeys(json));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The operator's trust file, reloaded when it changes: polled (stat every `intervalMs`, compared
 * with the file as last read), which also sees a file replaced by rename, as editors and
 * `npm run cli -- signing-keys` do, and misses no edit made while the service started. A change that does
 * not parse is reported and ignored: the keys loaded last stay in force, so a typo never makes
 * every event untrusted, nor a revoked key trusted again.
 */
export class TrustedKeysFile implements EnvelopeVerifier {
  private current: TrustedKeyRegistry;
  /** The file as it was when last read: a change is judged against it, not against the previous
   * poll, so an edit made between the read and the first poll is not missed. */
  private loadedVersion: string;
  private timer: NodeJS.Timeout | null = null;
  /** How many times the file was loaded (1 at start); what the last failed reload said. */
  loads = 1;
  lastError: string | null = null;

  constructor(
    readonly path: string,
    private readonly log: { log(m: string): void; error(m: string): void } = console,
  ) {
    this.loadedVersion = statVersion(path);
    this.current = loadTrustedKeys(path);
  }

  get registry(): TrustedKeyRegistry {
    return this.current;
  }

  verify(envelope: object): Verdict {
    return this.current.verify(envelope);
  }

  verifyAll(envelopes: object[]): Promise<Verdict[]> {
    return this.current.verifyAll(envelopes);
  }

  /** Re-reads the file now; false (and the old keys kept) if it does not parse. */
  reload(): boolean {
    try {
      this.loadedVersion = statVersion(this.path);
      this.current = loadTrustedKeys(this.path);
      this.loads += 1;
      this.lastError = null;
      this.log.log(`trusted node keys reloaded from ${this.path}: ${this.current.size} keys`);
      return true;
    } catch (e) {
      this.lastError = (e as Error).message;
      this.log.error(`trusted node keys NOT reloaded, the previous ones stay in force: ${this.lastError}`);
      return false;
    }
  }

  watch(intervalMs: number): void {
    if (this.timer) return;
    // A file that is gone fails to load like a broken one: the previous keys stay in force.
    this.timer = setInterval(() => statVersion(this.path) !== this.loadedVersion && this.reload(), intervalMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

const versionOf = (s: Stats): string => `${s.ino}:${s.mtimeMs}:${s.size}`;
const statVersion = (path: string): string => {
  try {
    return versionOf(statSync(path));
  } catch {
    return 'unreadable';
  }
};
