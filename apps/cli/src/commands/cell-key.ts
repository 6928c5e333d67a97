import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from './command';

/**
 * `npm run cli -- cell-key create --out FILE`: a new cell-key secret for a region (what
 * CELL_KEY_SECRET_FILE names; docs/operations.md#releases-and-the-cell-key-secret): 48 random bytes
 * as 64 base64 characters, mode 0600, never over an existing file. Every aggregator of the region
 * must be given the same file.
 */
export const cellKeyCommand: CliCommand = {
  name: 'cell-key',
  usage: ['cell-key create --out FILE'],
  async run(action, args) {
    const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
    if (action !== 'create') {
      console.error(`cell-key: unknown action "${action ?? ''}"; one of create`);
      return 2;
    }
    if (!values.out) {
      console.error('cell-key create: --out FILE is required');
      return 2;
    }
    if (existsSync(values.out)) throw new Error(`${values.out} exists; not overwritten (the region's secret must not change under a running aggregator)`);
    mkdirSync(dirname(values.out), { recursive: true, mode: 0o700 });
    writeFileSync(values.out, `${randomBytes(48).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    console.error(`cell-key secret: ${values.out} (mode 0600; the aggregators' CELL_KEY_SECRET_FILE)`);
    return 0;
  },
};
