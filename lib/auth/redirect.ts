/**
 * Where a browser may be sent after signing in: a path of this site, never another origin.
 *
 * `next` comes from the query string, so anyone can choose it. Browsers drop tabs and newlines inside URLs
 * and read `\` as `/`, so `/\t/evil.example`, `/\evil.example` and `//evil.example` all leave the site; dot
 * segments can make a path protocol-relative once resolved (`/..//evil.example` is `//evil.example`); an
 * encoded `%2F%2F` or `%5C` turns into one of those wherever the path is decoded again; and a newline in a
 * Location header fails the response. The rule, in one place:
 *
 * - the candidate is a string that starts with `/` and has no control character and no backslash;
 * - resolved against a dummy origin (`new URL(candidate, 'http://x.invalid')`) it keeps that origin, and the
 *   resolved path starts with exactly one `/`;
 * - the same holds for its path part (before `?` or `#`) percent-decoded, once or repeatedly, and that part
 *   decodes cleanly;
 * - it is not the sign-in page itself.
 *
 * What passes is returned normalised (the resolved path, query and fragment), and the decoded rule holds for
 * that returned form as well, so the function is idempotent; anything else gives `fallback`.
 */

const DUMMY_ORIGIN = 'http://x.invalid';
const MAX_LENGTH = 2048;
const MAX_DECODES = 4;
// C0 controls, DEL, C1 controls, and the backslash that browsers treat as a slash
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\\]/;
const LOGIN = /^\/login(\/|$)/;

export function safeRedirectPath(raw: unknown, fallback = '/'): string {
  if (typeof raw !== 'string' || raw.length > MAX_LENGTH) return fallback;
  const resolved = sameOriginPath(raw);
  // the decoded check applies to what is returned too: resolving dot segments can remove the very segment
  // that kept a decoded form on the site (`/p%2Fq/../%2F%2Fevil.example` resolves to `/%2F%2Fevil.example`)
  if (resolved === null || !decodedPathStays(raw) || !decodedPathStays(resolved.path)) return fallback;
  return LOGIN.test(resolved.pathname) ? fallback : resolved.path;
}

/** The candidate resolved on the dummy origin, or null when it leaves it or is not a plain one-slash path. */
function sameOriginPath(candidate: string): { path: string; pathname: string } | null {
  if (!candidate.startsWith('/') || UNSAFE.test(candidate)) return null;
  let url: URL;
  try {
    url = new URL(candidate, DUMMY_ORIGIN);
  } catch {
    return null;
  }
  const path = url.pathname + url.search + url.hash;
  if (url.origin !== DUMMY_ORIGIN || !path.startsWith('/') || path.startsWith('//') || UNSAFE.test(path)) return null;
  return { path, pathname: url.pathname };
}

/** Whether the path part, decoded as often as it decodes to something new, still stays on the site. */
function decodedPathStays(candidate: string): boolean {
  let form = candidate.split(/[?#]/, 1)[0];
  for (let i = 0; i < MAX_DECODES; i++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(form);
    } catch {
      return false;
    }
    if (decoded === form) return true;
    if (sameOriginPath(decoded) === null) return false;
    form = decoded;
  }
  return false;
}
