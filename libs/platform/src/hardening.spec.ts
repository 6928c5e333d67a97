import { rateLimitKey } from './hardening';

describe('rate-limit key', () => {
  const req = (headers: Record<string, string>) => ({ headers, ip: '10.0.0.7' }) as never;

  it('counts a request against the API key id when a key is presented', () => {
    expect(rateLimitKey(req({ authorization: 'Bearer cvs_k7Qx9_s3cr3t', 'x-caravanserai-principal': 'secretariat' }))).toBe('key:k7Qx9');
  });
  it('else against the address, whatever name the caller gives itself', () => {
    expect(rateLimitKey(req({ 'x-caravanserai-principal': 'state:IR' }))).toBe('ip:10.0.0.7');
    expect(rateLimitKey(req({ authorization: 'Basic abc' }))).toBe('ip:10.0.0.7');
  });
});
