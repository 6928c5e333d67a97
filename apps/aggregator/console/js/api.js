// Every request the console makes to the aggregator goes through authHeaders(): the one place
// that turns the signed-in credential (a reader API key, docs/authentication.md) into headers.
export function authHeaders(credential) {
  return { Authorization: `Bearer ${credential}` };
}

const KEY = 'caravanserai.credential';

/** The credential from the URL fragment (#key=...), which is then removed from the address bar,
 * or from this tab's session storage. */
export function loadCredential() {
  const match = /(?:^#|&)key=([^&]+)/.exec(window.location.hash);
  if (match) {
    const credential = decodeURIComponent(match[1]);
    sessionStorage.setItem(KEY, credential);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return credential;
  }
  return sessionStorage.getItem(KEY);
}

export function saveCredential(credential) {
  sessionStorage.setItem(KEY, credential);
}

export function forgetCredential() {
  sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** GET a JSON document from the aggregator as the signed-in caller. */
export async function getJson(path, credential) {
  const res = await fetch(path, { headers: { accept: 'application/json', ...authHeaders(credential) } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}
