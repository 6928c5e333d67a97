import { COMMANDS } from './commands';

/**
 * `npm run cli -- <group> <action> [--options]`: the operator's tool (credentials, signing keys).
 * Each group is a CliCommand in ./commands; this file only dispatches and prints usage.
 */
function usage(): string {
  const lines = COMMANDS.flatMap((c) => c.usage.map((u) => `  npm run cli -- ${u}`));
  return ['usage:', ...(lines.length ? lines : ['  (no commands yet)'])].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [group, action, ...rest] = argv;
  if (!group || group === 'help' || group === '--help') {
    console.log(usage());
    return group ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === group);
  if (!command) {
    console.error(`unknown command "${group}"\n${usage()}`);
    return 2;
  }
  return command.run(action, rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    // One line, no stack: the operator needs the reason, not the trace.
    console.error(`cli: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
