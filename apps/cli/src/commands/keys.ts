import {
  createKey,
  grantProblem,
  KeyInfo,
  KeyRequestError,
  listKeys,
  openKeyDatabase,
  parseDuration,
  revokeKey,
  Service,
  SERVICES,
} from '@caravanserai/credentials';
import type { CliCommand } from './command';

/** `--name value` pairs; a flag given twice or without a value is an error. */
function options(args: string[], allowed: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i]?.startsWith('--') ? args[i].slice(2) : null;
    if (!name || !allowed.includes(name)) throw new KeyRequestError(`unknown argument "${args[i]}" (expected ${allowed.map((a) => `--${a}`).join(', ')})`);
    if (args[i + 1] === undefined || args[i + 1].startsWith('--')) throw new KeyRequestError(`--${name} needs a value`);
    if (name in out) throw new KeyRequestError(`--${name} given twice`);
    out[name] = args[i + 1];
  }
  return out;
}

function target(opts: Record<string, string>): { databaseUrl: string; service: Service } {
  const databaseUrl = opts['database-url'] ?? process.env.DATABASE_URL;
  if (!databaseUrl) throw new KeyRequestError('say which database holds the keys: --database-url URL or DATABASE_URL');
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new KeyRequestError('--database-url must start with postgres:// or postgresql://');
  const service = opts.service;
  if (!service) throw new KeyRequestError(`say which service the database belongs to: --service ${SERVICES.join('|')}`);
  if (!(SERVICES as readonly string[]).includes(service)) throw new KeyRequestError(`--service must be one of ${SERVICES.join(', ')} (got "${service}")`);
  return { databaseUrl, service: service as Service };
}

const iso = (d: Date | null) => (d ? d.toISOString() : '-');
const status = (k: KeyInfo, now = Date.now()) => (k.revokedAt ? 'revoked' : k.expiresAt && k.expiresAt.getTime() <= now ? 'expired' : 'active');

async function withDatabase<T>(
  opts: Record<string, string>,
  work: (db: Awaited<ReturnType<typeof openKeyDatabase>>, service: Service) => Promise<T>,
): Promise<T> {
  const { databaseUrl, service } = target(opts);
  const db = await openKeyDatabase(databaseUrl, service);
  try {
    return await work(db, service);
  } finally {
    await db.end();
  }
}

async function create(args: string[]): Promise<number> {
  const opts = options(args, ['database-url', 'service', 'principal', 'role', 'expires-in', 'label']);
  if (!opts.principal || !opts.role) throw new KeyRequestError('--principal and --role are required');
  // Checked before the database is touched (createKey checks again, for its other callers).
  const problem = grantProblem(target(opts).service, opts.principal, opts.role);
  if (problem) throw new KeyRequestError(problem);
  let expiresAt: Date | null = null;
  if (opts['expires-in']) {
    const ms = parseDuration(opts['expires-in']);
    if (ms === null) throw new KeyRequestError(`--expires-in must be a number and a unit s, m, h or d, e.g. 90d (got "${opts['expires-in']}")`);
    expiresAt = new Date(Date.now() + ms);
  }
  const made = await withDatabase(opts, (db, service) =>
    createKey(db, service, { principal: opts.principal, role: opts.role, expiresAt, label: opts.label ?? null }),
  );
  // The key goes to stdout alone, so that scripts can capture it; the rest to stderr.
  console.error(`key ${made.keyId} for ${made.principal} (role ${made.role}), expires ${iso(made.expiresAt)}; shown once, store it now:`);
  console.log(made.key);
  return 0;
}

async function list(args: string[]): Promise<number> {
  const opts = options(args, ['database-url', 'service']);
  const keys = await withDatabase(opts, (db) => listKeys(db));
  console.log(['key_id', 'principal', 'role', 'status', 'created_at', 'expires_at', 'revoked_at', 'label'].join('\t'));
  for (const k of keys) console.log([k.keyId, k.principal, k.role, status(k), iso(k.createdAt), iso(k.expiresAt), iso(k.revokedAt), k.label ?? ''].join('\t'));
  return 0;
}

async function revoke(args: string[]): Promise<number> {
  const opts = options(args, ['database-url', 'service', 'id']);
  if (!opts.id) throw new KeyRequestError('--id KEYID is required (see keys list)');
  const outcome = await withDatabase(opts, (db) => revokeKey(db, opts.id));
  if (outcome === 'unknown') {
    console.error(`no key ${opts.id} in this database`);
    return 1;
  }
  console.log(outcome === 'revoked' ? `key ${opts.id} revoked; refused from the next request on` : `key ${opts.id} was already revoked`);
  return 0;
}

const ACTIONS: Record<string, (args: string[]) => Promise<number>> = { create, list, revoke };

/** `npm run cli -- keys create|list|revoke`: API keys of one service (docs/authentication.md).
 * --database-url defaults to DATABASE_URL. Roles: on a node `ingest` (state:XX) and `admin`
 * (admin); on the aggregator `reader` (secretariat, state:XX, org:NAME) and `admin` (admin). */
export const keysCommand: CliCommand = {
  name: 'keys',
  usage: [
    'keys create --service node|aggregator --principal state:KZ --role ingest [--expires-in 90d] [--label text] [--database-url URL]',
    'keys list   --service node|aggregator [--database-url URL]',
    'keys revoke --service node|aggregator --id KEYID [--database-url URL]',
  ],
  async run(action, args) {
    const run = action ? ACTIONS[action] : undefined;
    try {
      if (!run) throw new KeyRequestError(`keys needs an action: ${Object.keys(ACTIONS).join(', ')}`);
      return await run(args);
    } catch (e) {
      if (!(e instanceof KeyRequestError)) throw e;
      console.error(`keys: ${e.message}`);
      return 2;
    }
  },
};
