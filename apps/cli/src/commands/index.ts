import { cellKeyCommand } from './cell-key';
import type { CliCommand } from './command';
import { dbCommand } from './db';
import { keysCommand } from './keys';
import { regionCommand } from './region';
import { signingKeysCommand } from './signing-keys';

/** Every command group of `npm run cli`; each lives in its own file beside this one. */
export const COMMANDS: CliCommand[] = [keysCommand, signingKeysCommand, dbCommand, cellKeyCommand, regionCommand];
