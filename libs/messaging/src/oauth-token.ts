import { readFileSync } from 'node:fs';
import type { OauthbearerProviderResponse } from 'kafkajs';

/** An OAUTHBEARER token kept in a file that something else refreshes (a sidecar, a mounted
 * secret): re-read at each login, so a new token is used from the next connection on. */
export function tokenFromFile(path: string): () => Promise<OauthbearerProviderResponse> {
  return async () => {
    const value = readFileSync(path, 'utf8').split(/\r?\n/)[0].trim();
    if (!value) throw new Error(`KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: ${path} is empty`);
    return { value };
  };
}

export interface ClientCredentials {
  url: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
}

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4): the client authenticates to the token endpoint
 * with HTTP Basic (id and secret form-encoded, §2.3.1) and gets an access token, kept until a
 * minute (or a tenth of its life, if shorter) before it expires; one request at a time however
 * many connections log in at once.
 */
export class OAuthClientCredentials {
  private cached: { value: string; refreshAt: number } | null = null;
  private inFlight: Promise<string> | null = null;

  constructor(
    private readonly settings: ClientCredentials,
    private readonly now: () => number = Date.now,
  ) {}

  async token(): Promise<OauthbearerProviderResponse> {
    if (this.cached && this.now() < this.cached.refreshAt) return { value: this.cached.value };
    this.inFlight ??= this.fetchToken().finally(() => (this.inFlight = null));
    return { value: await this.inFlight };
  }

  private async fetchToken(): Promise<string> {
    const { url, clientId, clientSecret, scope } = this.settings;
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
    const body = new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
    const started = this.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    // The endpoint's error body may echo what was sent: only its status and OAuth error code.
    const answer = (await res.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
    if (!res.ok) throw new Error(`token endpoint ${url} answered ${res.status}${typeof answer.error === 'string' ? ` (${answer.error})` : ''}`);
    if (typeof answer.access_token !== 'string' || !answer.access_token) throw new Error(`token endpoint ${url} answered without an access_token`);
    const lifeMs = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in * 1000 : 300_000;
    this.cached = { value: answer.access_token, refreshAt: started + lifeMs - Math.min(60_000, lifeMs / 10) };
    return answer.access_token;
  }
}
