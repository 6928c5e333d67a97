/** One `npm run cli -- <group> <action> [--options]` command group (e.g. `keys`). */
export interface CliCommand {
  /** The first word after `cli --`, e.g. `keys`. */
  name: string;
  /** One line per action, shown by `npm run cli -- help`. */
  usage: string[];
  /** Runs `action` with the remaining arguments; resolves to the process exit code. */
  run(action: string | undefined, args: string[]): Promise<number>;
}
