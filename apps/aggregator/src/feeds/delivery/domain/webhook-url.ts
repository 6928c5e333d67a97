/** Hosts that plain http may reach when WEBHOOK_ALLOW_HTTP_LOCALHOST is on: this machine only. */
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const MAX_URL_LENGTH = 2048;

/**
 * Why `raw` may not be a webhook's URL, or null when it may. https only, because a delivery carries
 * what the recipient's agreements let it see; plain http only to this machine, and only where the
 * operator allows it (tests, a receiver on the same host). Credentials in the URL are refused: they
 * would be stored and shown back in the subscription.
 */
export function webhookUrlProblem(raw: string, allowHttpLocalhost: boolean): string | null {
  if (raw.length > MAX_URL_LENGTH) return `url must be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url must be an absolute URL, e.g. https://receiver.example/caravanserai';
  }
  if (url.username || url.password) return 'url must not carry a user name or password';
  if (url.hash) return 'url must not have a fragment (#...)';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') {
    if (!allowHttpLocalhost) return 'url must use https (plain http is allowed only to a local receiver, when the aggregator is configured for it)';
    if (!LOCAL_HOSTS.has(url.hostname)) return 'url must use https: plain http is allowed only to 127.0.0.1, [::1] or localhost';
    return null;
  }
  return `url must use https, not ${url.protocol.replace(/:$/, '')}`;
}
