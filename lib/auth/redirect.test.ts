/**
 * The redirect after sign-in: a table of hostile `next` values, each with why it is hostile (checked here with
 * the URL parser that browsers follow, so the table cannot pass by listing harmless strings), which must all
 * give the fallback; and a table of good paths, kept and normalised.
 */
import { describe, expect, it } from 'vitest';
import { safeRedirectPath } from './redirect';

const SITE = 'http://txline.test';

type Why =
  | 'leaves' // a browser that follows it as a Location ends on another origin
  | 'header' // a control character: a newline fails the response (the 500 seen), a tab is dropped by browsers
  | 'dots' // resolves to a protocol-relative path (`//host`), which the next hop follows away
  | 'decoded' // percent-decoded (once or more) it leaves the site or becomes protocol-relative
  | 'malformed' // its percent-encoding does not decode
  | 'policy'; // harmless on its own, refused anyway (not a path, the sign-in page, absurdly long)

const hostile: [string, unknown, Why][] = [
  ['tab between slashes (the reported case)', '/\t/evil.example', 'leaves'],
  ['newline between slashes (a 500 before)', '/\n/evil.example', 'leaves'],
  ['carriage return between slashes', '/\r/evil.example', 'leaves'],
  ['tabs and newlines inside the second slash pair', '/\t\n\r/evil.example/x', 'leaves'],
  ['protocol-relative', '//evil.example', 'leaves'],
  ['protocol-relative with a path', '//evil.example/databases', 'leaves'],
  ['three slashes', '///evil.example', 'leaves'],
  ['slash backslash', '/\\evil.example', 'leaves'],
  ['backslash slash', '\\/evil.example', 'leaves'],
  ['two backslashes', '\\\\evil.example', 'leaves'],
  ['backslash after a tab', '/\t\\evil.example', 'leaves'],
  ['absolute http URL', 'http://evil.example/', 'leaves'],
  ['absolute https URL', 'https://evil.example/databases', 'leaves'],
  ['protocol-relative with credentials', '//user:pass@evil.example', 'leaves'],
  ['another scheme without slashes', 'https:evil.example', 'leaves'],
  ['javascript: URL', 'javascript:alert(document.cookie)', 'leaves'],
  ['javascript: URL with a leading tab', '\tjavascript:alert(1)', 'leaves'],
  ['data: URL', 'data:text/html,<script>alert(1)</script>', 'leaves'],
  ['leading space', ' //evil.example', 'leaves'],
  ['NUL inside', '/databases\u0000/x', 'header'],
  ['newline in the query', '/databases?x=1\nSet-Cookie: a=b', 'header'],
  ['dot segment to protocol-relative', '/..//evil.example', 'dots'],
  ['single-dot segment to protocol-relative', '/.//evil.example', 'dots'],
  ['encoded dot segment to protocol-relative', '/%2e%2e//evil.example', 'dots'],
  ['climbing dot segments', '/a/b/../..//evil.example', 'dots'],
  ['encoded double slash', '/%2F%2Fevil.example', 'decoded'],
  ['encoded double slash, lower case', '/%2f%2fevil.example', 'decoded'],
  ['encoded second slash', '/%2Fevil.example', 'decoded'],
  ['encoded backslash', '/%5Cevil.example', 'decoded'],
  ['encoded backslash, lower case', '/%5cevil.example', 'decoded'],
  ['encoded tab between slashes', '/%09/evil.example', 'decoded'],
  ['encoded newline between slashes', '/%0A/evil.example', 'decoded'],
  ['double-encoded double slash', '/%252F%252Fevil.example', 'decoded'],
  ['triple-encoded backslash', '/%25255Cevil.example', 'decoded'],
  ['encoded slashes after a dot segment', '/..%2F%2Fevil.example', 'decoded'],
  ['malformed percent-encoding', '/databases/%E0%A4%A/timeline', 'malformed'],
  ['a lone percent sign in the path', '/databases/%', 'malformed'],
  ['C1 control', '/databases\u0085', 'policy'],
  ['relative path', 'databases', 'policy'],
  ['empty', '', 'policy'],
  ['not a string', ['/databases'], 'policy'],
  ['undefined', undefined, 'policy'],
  ['back to the sign-in page', '/login', 'policy'],
  ['the sign-in page with its own next', '/login?next=/databases', 'policy'],
  ['far too long', '/' + 'a'.repeat(5000), 'policy'],
];

const good: [string, string, string][] = [
  ['the root', '/', '/'],
  ['a page', '/databases', '/databases'],
  ['a page with a query string', '/databases/neo4j?folder=2&go=1500', '/databases/neo4j?folder=2&go=1500'],
  ['a query that names another site', '/restore?from=//evil.example', '/restore?from=//evil.example'],
  ['an encoded time in the query', '/databases/neo4j?go=2026-01-02T03%3A04%3A05Z', '/databases/neo4j?go=2026-01-02T03%3A04%3A05Z'],
  ['an encoded percent in the query', '/databases/neo4j?go=50%25', '/databases/neo4j?go=50%25'],
  ['a fragment', '/jobs/12#log', '/jobs/12#log'],
  ['dot segments inside the site', '/databases/x/../neo4j', '/databases/neo4j'],
  ['an encoded name', '/databases/my%2Ddb', '/databases/my%2Ddb'],
  ['a space', '/jobs?q=a b', '/jobs?q=a%20b'],
  ['a double slash further on', '/databases//neo4j', '/databases//neo4j'],
  ['a page that only starts like login', '/loginhistory', '/loginhistory'],
];

/** Where a browser on SITE goes for this Location, as the URL parser reads it; null when it cannot parse it. */
function followed(location: string): URL | null {
  try {
    return new URL(location, `${SITE}/login`);
  } catch {
    return null;
  }
}

function offSiteOrProtocolRelative(location: string): boolean {
  const u = followed(location);
  return u === null || u.origin !== SITE || u.pathname.startsWith('//');
}

/** Why a `next` value is hostile, judged independently of safeRedirectPath. */
function whyHostile(next: unknown): Why {
  if (typeof next !== 'string') return 'policy';
  if (followed(next)?.origin !== SITE) return 'leaves';
  if (/[\u0000-\u001f\u007f]/.test(next)) return 'header';
  if (offSiteOrProtocolRelative(next)) return 'dots';
  let form = next.split(/[?#]/)[0];
  for (let i = 0; i < 3; i++) {
    try {
      form = decodeURIComponent(form);
    } catch {
      return 'malformed';
    }
    if (offSiteOrProtocolRelative(form)) return 'decoded';
  }
  return 'policy';
}

describe('safeRedirectPath', () => {
  it.each(hostile)('refuses %s', (_label, next, why) => {
    expect(whyHostile(next)).toBe(why);
    expect(safeRedirectPath(next)).toBe('/');
    expect(safeRedirectPath(next, '/account')).toBe('/account');
  });

  it.each(good)('keeps %s', (_label, next, expected) => {
    const out = safeRedirectPath(next);
    expect(out).toBe(expected);
    expect(offSiteOrProtocolRelative(out)).toBe(false);
  });

  it('refuses a path whose dot segments, once resolved, leave an encoded protocol-relative path', () => {
    // decoded as given it stays on the site (`/p/q/..//evil.example`), but the resolved form `/%2F%2Fevil.example`
    // decodes to `///evil.example`
    for (const next of ['/p%2Fq/../%2F%2Fevil.example', '/p%2fq/%2e%2e/%2f%2fevil.example', '/a%2Fb/../%5C%5Cevil.example']) {
      expect(safeRedirectPath(next), next).toBe('/');
    }
  });

  it('is idempotent, and what it returns stays on the site decoded too', () => {
    const values = [...hostile.map(([, v]) => v), ...good.map(([, v]) => v)].filter((v): v is string => typeof v === 'string');
    for (const next of values) {
      const out = safeRedirectPath(next);
      expect(safeRedirectPath(out), JSON.stringify(next)).toBe(out);
      let form = out.split(/[?#]/)[0];
      for (let i = 0; i < 3; i++) {
        form = decodeURIComponent(form);
        expect(offSiteOrProtocolRelative(form), JSON.stringify(next)).toBe(false);
      }
    }
  });

  it('never returns a path that leaves the site or has a control character, for any prefix of the hostile values', () => {
    for (const [, next] of hostile) {
      if (typeof next !== 'string') continue;
      for (let i = 0; i <= Math.min(next.length, 64); i++) {
        const out = safeRedirectPath(next.slice(0, i));
        expect(offSiteOrProtocolRelative(out), JSON.stringify(next.slice(0, i))).toBe(false);
        expect(/[\u0000-\u001f\\]/.test(out)).toBe(false);
      }
    }
  });
});
