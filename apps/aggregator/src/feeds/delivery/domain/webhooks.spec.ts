import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { backoffMs, signedContent, webhookHeaders } from './standard-webhook';
import { webhookUrlProblem } from './webhook-url';

describe('Standard Webhooks headers', () => {
  it('signs id.timestamp.body, and the signature is base64 after v1a, as a receiver checks it', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const body = JSON.stringify({ id: 'release/1/flows/IR', data: { n: 1 } });
    const signature = sign(null, signedContent('release/1/flows/IR', 1764900000, body), privateKey).toString('base64url');
    const headers = webhookHeaders('release/1/flows/IR', 1764900000, signature);
    expect(headers['webhook-id']).toBe('release/1/flows/IR');
    expect(headers['webhook-timestamp']).toBe('1764900000');
    const [version, value] = headers['webhook-signature'].split(',');
    expect(version).toBe('v1a');
    expect(value).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const check = (b: string, ts = headers['webhook-timestamp']) =>
      verify(null, Buffer.from(`${headers['webhook-id']}.${ts}.${b}`), publicKey, Buffer.from(value, 'base64'));
    expect(check(body)).toBe(true);
    expect(check(body.replace('1', '2'))).toBe(false);
    expect(check(body, '1764900001')).toBe(false);
  });
});

describe('backoff with full jitter', () => {
  it('draws below a ceiling that doubles per failure up to the maximum', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffMs(n, 100, 1000, () => 0.999999))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffMs(3, 100, 1000, () => 0)).toBe(0);
    expect(backoffMs(1000, 100, 1000, () => 0.5)).toBe(500);
  });
});

describe('webhook URL', () => {
  it('takes https anywhere, and plain http only to this machine when allowed', () => {
    expect(webhookUrlProblem('https://receiver.example/hook?x=1', false)).toBeNull();
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook', true)).toBeNull();
    expect(webhookUrlProblem('http://localhost/hook', true)).toBeNull();
    expect(webhookUrlProblem('http://[::1]:9/hook', true)).toBeNull();
  });

  it('refuses everything else, saying why', () => {
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook', false)).toMatch(/must use https/);
    expect(webhookUrlProblem('http://receiver.example/hook', true)).toMatch(/only to 127\.0\.0\.1/);
    expect(webhookUrlProblem('http://127.0.0.2/hook', true)).toMatch(/only to 127\.0\.0\.1/);
    expect(webhookUrlProblem('ftp://receiver.example/', true)).toBe('url must use https, not ftp');
    expect(webhookUrlProblem('file:///etc/passwd', true)).toBe('url must use https, not file');
    expect(webhookUrlProblem('receiver.example/hook', false)).toMatch(/absolute URL/);
    expect(webhookUrlProblem('https://user:secret@receiver.example/', false)).toMatch(/user name or password/);
    expect(webhookUrlProblem('https://receiver.example/#x', false)).toMatch(/fragment/);
    expect(webhookUrlProblem(`https://receiver.example/${'a'.repeat(2100)}`, false)).toMatch(/at most 2048/);
  });
});
