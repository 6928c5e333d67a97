import { parsePrometheusText } from '@caravanserai/testing';
import { StructuredLogger, logFormat, logLevels } from './logger';
import { AppMetrics } from './metrics';
import { requestIdOf } from './http-observability';

describe('StructuredLogger', () => {
  const at = new Date('2026-03-01T12:00:00.123Z');
  const capture = (format: 'json' | 'pretty', levels = logLevels('log')) => {
    const lines: string[] = [];
    return {
      lines,
      logger: new StructuredLogger(
        format,
        levels,
        (l) => lines.push(l),
        () => at,
      ),
    };
  };

  it('writes one JSON object per event: time, level, context, message, then the fields', () => {
    const { lines, logger } = capture('json');
    logger.log('listening', 'aggregator');
    logger.log({ message: 'request', requestId: 'r-1', status: 200 }, 'http');
    logger.warn('multi\nline', 'Kafka');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { time: '2026-03-01T12:00:00.123Z', level: 'info', context: 'aggregator', message: 'listening' },
      { time: '2026-03-01T12:00:00.123Z', level: 'info', context: 'http', message: 'request', requestId: 'r-1', status: 200 },
      { time: '2026-03-01T12:00:00.123Z', level: 'warn', context: 'Kafka', message: 'multi\nline' },
    ]);
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
  });

  it('keeps a stack as a field, not as the context', () => {
    const { lines, logger } = capture('json');
    const e = new Error('boom');
    logger.error('failed', e.stack, 'Errors');
    logger.error(e, 'Errors');
    const [a, b] = lines.map((l) => JSON.parse(l));
    expect(a).toMatchObject({ level: 'error', context: 'Errors', message: 'failed', stack: e.stack });
    expect(b).toMatchObject({ level: 'error', context: 'Errors', message: 'boom', error: 'Error', stack: e.stack });
  });

  it('honours LOG_LEVEL (unknown: log)', () => {
    const { lines, logger } = capture('json', logLevels('warn'));
    logger.log('no');
    logger.debug('no');
    logger.warn('yes');
    logger.fatal('yes');
    expect(lines.map((l) => JSON.parse(l).level)).toEqual(['warn', 'fatal']);
    expect(logLevels('shout')).toEqual(['fatal', 'error', 'warn', 'log']);
  });

  it('writes lines for people in a terminal, JSON elsewhere; LOG_FORMAT forces either', () => {
    const { lines, logger } = capture('pretty');
    logger.log({ message: 'request', route: '/v1/flows', status: 200 }, 'http');
    expect(lines).toEqual(['12:00:00.123 INFO  [http] request  route=/v1/flows status=200']);
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });
});

describe('request ids', () => {
  it("keeps a caller's plain token and replaces anything else by a uuid", () => {
    expect(requestIdOf({ headers: { 'x-request-id': 'abc-123_x.y:z' } })).toBe('abc-123_x.y:z');
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const bad of [undefined, '', 'Ahmad Karimi', 'x'.repeat(65), '{"a":1}', 'a\nb', ['a', 'b']]) {
      expect(requestIdOf({ headers: { 'x-request-id': bad as never } })).toMatch(uuid);
    }
  });
});

describe('AppMetrics', () => {
  it("each app has its own registry with process metrics, the HTTP histogram and the app's metrics", async () => {
    const a = new AppMetrics();
    const b = new AppMetrics();
    const up = a.gauge('caravanserai_database_up', 'Whether PostgreSQL answers');
    const lag = a.gauge('caravanserai_consumer_lag', 'lag', ['topic', 'partition']);
    const total = a.counter('caravanserai_consumer_batches_total', 'batches', ['topic']);
    b.gauge('caravanserai_database_up', 'Whether PostgreSQL answers'); // no clash across apps
    a.observeRequest('GET', '/v1/referrals/:id', 200, 0.02);
    a.set(up, [{ value: 1 }]);
    a.set(lag, [
      { labels: { topic: 't', partition: 0 }, value: 3 },
      { labels: { topic: 't', partition: 1 }, value: null },
    ]);
    a.set(total, [{ labels: { topic: 't' }, value: 7 }]);
    a.set(total, [{ labels: { topic: 't' }, value: 9 }]); // read again at the next scrape
    const families = parsePrometheusText(await a.render());
    expect(families.get('process_resident_memory_bytes')?.samples[0].value).toBeGreaterThan(0);
    expect(families.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
    expect(families.get('nodejs_heap_size_used_bytes')).toBeDefined();
    expect(families.get('nodejs_gc_duration_seconds')?.type).toBe('histogram');
    expect(families.get('caravanserai_database_up')?.samples).toEqual([{ name: 'caravanserai_database_up', labels: {}, value: 1 }]);
    expect(families.get('caravanserai_consumer_lag')?.samples).toEqual([
      { name: 'caravanserai_consumer_lag', labels: { topic: 't', partition: '0' }, value: 3 },
    ]);
    expect(families.get('caravanserai_consumer_batches_total')?.samples.map((s) => s.value)).toEqual([9]);
    const http = families.get('http_request_duration_seconds')!;
    expect(http.type).toBe('histogram');
    expect(http.samples.find((s) => s.name === 'http_request_duration_seconds_count')).toEqual({
      name: 'http_request_duration_seconds_count',
      labels: { method: 'GET', route: '/v1/referrals/:id', status_code: '200' },
      value: 1,
    });
    expect(parsePrometheusText(await b.render()).get('http_request_duration_seconds')?.samples).toEqual([]);
  });

  it('leaves out a value that could not be read rather than reporting 0', async () => {
    const m = new AppMetrics();
    const open = m.gauge('caravanserai_quarantine_open', 'open');
    m.set(open, [{ value: 2 }]);
    m.set(open, [{ value: null }]);
    expect(parsePrometheusText(await m.render()).get('caravanserai_quarantine_open')?.samples).toEqual([]);
  });
});
