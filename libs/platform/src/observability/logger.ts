import { LoggerService, LogLevel } from '@nestjs/common';
import { inspect } from 'node:util';

/** Nest's levels, most severe first; LOG_LEVEL names the least severe one written. */
const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** The level as log tools name it: Nest's `log` is everyone else's `info`. */
const LEVEL_NAME: Record<LogLevel, string> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'verbose' };

export function logLevels(level = process.env.LOG_LEVEL): LogLevel[] {
  const index = ORDER.indexOf((level ?? 'log') as LogLevel);
  // An unknown level falls back to 'log' rather than silencing the service.
  return ORDER.slice(0, (index < 0 ? ORDER.indexOf('log') : index) + 1);
}

export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT=json or pretty forces the format; otherwise a terminal gets pretty lines and
 * anything else (a file, a pipe, a container runtime) one JSON object per line. */
export function logFormat(env: NodeJS.ProcessEnv = process.env, isTty = Boolean(process.stdout.isTTY)): LogFormat {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return isTty ? 'pretty' : 'json';
}

/** One log event: the fixed fields, then whatever the caller attached. */
export interface LogEntry {
  time: string;
  level: string;
  context?: string;
  message: string;
  [field: string]: unknown;
}

type Fields = Record<string, unknown>;
const isFields = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Error);
const looksLikeStack = (v: unknown) => typeof v === 'string' && /\n\s+at /.test(v);

/**
 * The services' logger (Nest's LoggerService): one line per event, JSON (time, level, context,
 * message, then the event's fields) or, in a terminal, a line for people. `logger.log({message,
 * ...fields})` attaches fields; an Error or a stack becomes `error` / `stack`.
 *
 * What goes into a log is decided where it is written; nothing here can tell personal data from
 * the rest, so the rule (docs/privacy.md, the privacy e2e test) is that no caller ever passes
 * request bodies, query strings, headers or URLs.
 */
export class StructuredLogger implements LoggerService {
  private enabled: Set<LogLevel>;

  constructor(
    private readonly format: LogFormat = logFormat(),
    levels: LogLevel[] = logLevels(),
    private readonly write: (line: string) => void = (line) => void process.stdout.write(`${line}\n`),
    private readonly now: () => Date = () => new Date(),
  ) {
    this.enabled = new Set(levels);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.enabled = new Set(levels);
  }

  isLevelEnabled(level: LogLevel): boolean {
    return this.enabled.has(level);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.emit('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.emit('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.emit('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.emit('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.emit('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.emit('fatal', message, params);
  }

  /** The entry as written (exposed for tests). */
  entry(level: LogLevel, message: unknown, params: unknown[]): LogEntry {
    const rest = [...params];
    // Nest's Logger instances pass their context last.
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' && !looksLikeStack(rest[rest.length - 1]) ? (rest.pop() as string) : undefined;
    const fields: Fields = {};
    let text: string;
    if (message instanceof Error) {
      text = message.message;
      fields.error = message.name;
      if (message.stack) fields.stack = message.stack;
    } else if (isFields(message)) {
      const { message: m, msg, ...others } = message;
      text = String(m ?? msg ?? '');
      Object.assign(fields, others);
    } else if (looksLikeStack(message)) {
      // Nest's own error paths log a stack as the message: its first line says what happened.
      const stack = String(message);
      text = stack.split('\n')[0];
      fields.stack = stack;
    } else {
      text = typeof message === 'string' ? message : inspect(message, { breakLength: Infinity });
    }
    for (const p of rest) {
      if (p === undefined) continue;
      if (looksLikeStack(p)) fields.stack = p;
      else if (p instanceof Error) Object.assign(fields, { error: p.name, stack: p.stack ?? p.message });
      else if (isFields(p)) Object.assign(fields, p);
      else fields.detail = typeof p === 'string' ? p : inspect(p, { breakLength: Infinity });
    }
    return { time: this.now().toISOString(), level: LEVEL_NAME[level], ...(context ? { context } : {}), message: text, ...fields };
  }

  private emit(level: LogLevel, message: unknown, params: unknown[]): void {
    if (!this.enabled.has(level)) return;
    const entry = this.entry(level, message, params);
    this.write(this.format === 'json' ? json(entry) : pretty(entry));
  }
}

function json(entry: LogEntry): string {
  try {
    return JSON.stringify(entry, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    // A circular field: keep the event, drop what cannot be written.
    return JSON.stringify({ time: entry.time, level: entry.level, context: entry.context, message: entry.message });
  }
}

/** `12:00:00.123 INFO  [http] request  method=GET route=/v1/flows status=200 …`, stack below. */
function pretty(entry: LogEntry): string {
  const { time, level, context, message, stack, ...fields } = entry;
  const values = Object.entries(fields).map(
    ([k, v]) => `${k}=${typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : inspect(v, { breakLength: Infinity, colors: false })}`,
  );
  const line = `${time.slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${context ? `[${context}] ` : ''}${message}${values.length ? `  ${values.join(' ')}` : ''}`;
  return typeof stack === 'string' ? `${line}\n${stack}` : line;
}
