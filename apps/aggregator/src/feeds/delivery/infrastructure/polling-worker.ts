/**
 * A loop that runs `pass` until it finds nothing to do, then waits `pollMs` (or until woken), until
 * stopped. stop() ends the wait at once and resolves when the pass in progress has finished; the
 * `stopping` signal lets that pass abort what it is waiting for (an HTTP request, say).
 */
export class PollingWorker {
  private readonly shutdown = new AbortController();
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly pass: () => Promise<boolean>,
    private readonly pollMs: number,
    private readonly onError: (e: unknown) => void,
  ) {}

  get stopping(): AbortSignal {
    return this.shutdown.signal;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Runs a pass soon instead of at the end of the wait. */
  poke(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.shutdown.abort();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping.aborted) {
      let busy = false;
      try {
        busy = await this.pass();
      } catch (e) {
        this.onError(e);
      }
      if (busy || this.stopping.aborted) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }
}
