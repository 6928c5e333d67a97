import type { CliCommand } from './command';
import { keysCommand } from './keys';
import { regionCommand } from './region';
import { signingKeysCommand } from './signing-keys';

/** Every command group of `npm run cli`; each lives in its own file beside this one. */
export const COMMANDS: CliCommand[] = [keysCommand, signingKeysCommand, regionCommand];
