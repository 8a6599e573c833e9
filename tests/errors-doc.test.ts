/**
 * One table of error codes: docs/errors.md lists every code of lib/errors.ts with its exit code and HTTP
 * status, and nothing else; the statuses are the ones route handlers may answer; hints are there for the
 * codes a user can act on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, HTTP_STATUS, apiError, errorResponse, hintFor, httpStatusOf, type ErrorCode } from '../lib/errors';

const doc = fs.readFileSync(path.join(import.meta.dirname, '..', 'docs', 'errors.md'), 'utf8');
const rows = [...doc.matchAll(/^\| `([A-Z_]+)` \| (.+?) \| (\d) \| (\d{3}) \| (.*?) \|$/gm)].map((m) => ({ code: m[1], meaning: m[2], exit: Number(m[3]), status: Number(m[4]), hint: m[5] }));

describe('error codes', () => {
  it('docs/errors.md has one row per code, with its exit code, HTTP status and hint', () => {
    expect(rows.map((r) => r.code).sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const r of rows) {
      const code = r.code as ErrorCode;
      expect({ code, exit: r.exit, status: r.status, hint: r.hint }).toEqual({ code, exit: ERROR_CODES[code], status: HTTP_STATUS[code], hint: hintFor(code) ?? '' });
      expect(r.meaning.length, code).toBeGreaterThan(10);
    }
  });

  it('maps codes to the statuses an API client expects; 500 only for the unexpected', () => {
    expect([...new Set(Object.values(HTTP_STATUS))].sort()).toEqual([400, 401, 403, 404, 405, 409, 410, 415, 422, 500, 503]);
    expect(Object.entries(HTTP_STATUS).filter(([, s]) => s === 500).map(([c]) => c).sort()).toEqual(['INTERNAL', 'IO_ERROR', 'SPAWN_FAILED']);
    expect(httpStatusOf('JOB_RUNNING')).toBe(409);
    expect(httpStatusOf('not a code')).toBe(500);
  });

  it('answers a route handler error as { error: { code, message } } with its status', async () => {
    const r = errorResponse('NOT_FOUND', 'no job #7');
    expect(r.status).toBe(404);
    const body = await r.json();
    expect(body).toEqual({ error: { code: 'NOT_FOUND', message: 'no job #7' } });
    // and the browser reads it (and the member API's flat shape) back with the code's hint
    expect(apiError(body)).toEqual({ code: 'NOT_FOUND', message: 'no job #7', hint: null });
    expect(apiError({ code: 'TX_PRUNED', message: 'gone' })).toEqual({ code: 'TX_PRUNED', message: 'gone', hint: hintFor('TX_PRUNED') });
    expect(apiError('<html>')).toBeNull();
  });

  it('hints at what to do for a pruned log, and says nothing for an unknown code', () => {
    expect(hintFor('TX_PRUNED')).toBe('the member no longer holds the transactions after the last backup: take a full backup');
    expect(hintFor('INTERNAL')).toBeNull();
    expect(hintFor('NOPE')).toBeNull();
    expect(hintFor(null)).toBeNull();
  });
});
