import { parseDuration } from './duration';
import { grantProblem, principalKind } from './roles';

describe('which principal may hold which role', () => {
  it.each([
    ['node', 'state:KZ', 'ingest'],
    ['node', 'admin', 'admin'],
    ['aggregator', 'secretariat', 'reader'],
    ['aggregator', 'state:AF', 'reader'],
    ['aggregator', 'org:UNHCR', 'reader'],
    ['aggregator', 'admin', 'admin'],
  ])('%s: %s may be %s', (service, principal, role) => {
    expect(grantProblem(service, principal, role)).toBeNull();
  });

  it.each([
    ['node', 'state:KZ', 'reader', /role on a node must be one of ingest, admin/],
    ['node', 'secretariat', 'ingest', /ingest role belongs to state:XX/],
    ['node', 'state:FR', 'ingest', /ingest role belongs to state:XX/],
    ['node', 'state:kz', 'ingest', /ingest role belongs to state:XX/],
    ['node', 'state:KZ', 'admin', /admin role belongs to the principal "admin"/],
    ['aggregator', 'state:KZ', 'ingest', /role on a aggregator must be one of reader, admin/],
    ['aggregator', 'admin', 'reader', /reader role belongs to secretariat/],
    ['aggregator', 'org:x', 'reader', /reader role belongs to secretariat/],
    ['aggregator', 'org:UNHCR; DROP TABLE', 'reader', /reader role belongs to secretariat/],
    ['aggregator', 'secretariat', 'admin', /admin role belongs/],
    ['registry', 'admin', 'admin', /service must be one of node, aggregator/],
  ])('%s: %s may not be %s', (service, principal, role, why) => {
    expect(grantProblem(service, principal, role)).toMatch(why);
  });

  it('names the kind of a principal', () => {
    expect(['state:KZ', 'org:IOM', 'secretariat', 'admin', 'who'].map(principalKind)).toEqual(['state', 'org', 'secretariat', 'admin', 'unknown']);
  });
});

describe('key lifetimes', () => {
  it('reads s, m, h and d', () => {
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('12h')).toBe(43_200_000);
    expect(parseDuration('90d')).toBe(90 * 86_400_000);
  });

  it.each(['', '0d', '-1d', '1.5d', '90', 'd', '90 d', '1w', '9999999d'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});
