/**
 * Standard Webhooks (https://www.standardwebhooks.com), asymmetric variant: the headers of one
 * delivery attempt. The content signed is `{webhook-id}.{webhook-timestamp}.{body}`; the signature
 * is Ed25519 by the aggregator's own key (the one that signs feed items, published at
 * GET /v1/signing-keys), in standard base64 after the version `v1a`.
 */
export function signedContent(id: string, timestampSeconds: number, body: string): Buffer {
  return Buffer.from(`${id}.${timestampSeconds}.${body}`, 'utf8');
}

export function webhookHeaders(id: string, timestampSeconds: number, signatureBase64Url: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1a,${Buffer.from(signatureBase64Url, 'base64url').toString('base64')}`,
  };
}

/**
 * The wait after the `failures`-th consecutive failure: exponential backoff with full jitter
 * (a uniform draw in [0, min(max, base * 2^(failures-1))]), so that receivers recovering from one
 * outage are not hit by every aggregator's retries at the same moment.
 */
export function backoffMs(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 40));
  return Math.floor(random() * ceiling);
}
