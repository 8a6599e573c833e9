/**
 * Every server action and route handler of the app, and the role each requires. A new entry point without a
 * decision here fails the suite: decide who may call it (an action in lib/auth/guard.ts) and add it below.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIONS, roleFor, type Action } from '../../lib/auth/guard';

const APP = path.resolve(import.meta.dirname, '../../app');

/** file (relative to app/) + exported function -> the guard action it must use, or a special rule */
const EXPECTED: Record<string, string> = {
  'databases/[name]/actions.ts#backupAction': 'backup.start',
  'databases/[name]/actions.ts#verifyChainAction': 'chain.verify',
  'databases/[name]/actions.ts#verifyArtifactAction': 'artifact.verify',
  'databases/[name]/actions.ts#aggregateAction': 'chain.aggregate',
  'databases/[name]/actions.ts#deleteArtifactAction': 'artifact.delete',
  'restore/actions.ts#previewRestoreAction': 'restore.preview',
  'restore/actions.ts#restoreAction': 'restore.start',
  'jobs/actions.ts#cancelJobAction': 'job.cancel',
  'cluster/actions.ts#memberControlAction': 'cluster.control',
  'settings/actions.ts#addClusterAction': 'settings.write',
  'settings/actions.ts#deleteClusterAction': 'settings.write',
  'settings/actions.ts#addFolderAction': 'settings.write',
  'settings/actions.ts#deleteFolderAction': 'settings.write',
  'admin/users/actions.ts#createUserAction': 'users.create',
  'admin/users/actions.ts#setRoleAction': 'users.role',
  'admin/users/actions.ts#setDisabledAction': 'users.enable',
  'admin/users/actions.ts#resetPasswordAction': 'users.reset-password',
  'account/actions.ts#changePasswordAction': 'account.password',
  // signing out ends whatever session the cookie names; nothing else
  'account/actions.ts#logoutAction': 'public:logout',
  // signing in is open to anyone, slowed down after repeated failures
  'login/actions.ts#loginAction': 'public:login',
  'api/cluster/route.ts#GET': 'cluster.read',
  'api/jobs/route.ts#GET': 'jobs.read',
  'api/jobs/[id]/route.ts#GET': 'jobs.read',
  'api/lag/route.ts#GET': 'cluster.read',
  'api/databases/[name]/timeline/route.ts#GET': 'catalog.read',
  'api/metrics/route.ts#GET': 'metrics.scrape',
};

const ROLE_OF: Record<string, string> = Object.fromEntries(Object.keys(ACTIONS).map((k) => [k, roleFor(k as Action) ?? 'bearer token or loopback']));

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

/** The exported functions of a file, each with its source text up to the next export. */
function exportedFunctions(source: string): Array<{ name: string; body: string }> {
  const re = /^export\s+(?:async\s+)?function\s+(\w+)/gm;
  const marks = [...source.matchAll(re)].map((m) => ({ name: m[1], at: m.index ?? 0 }));
  return marks.map((m, i) => ({ name: m.name, body: source.slice(m.at, marks[i + 1]?.at ?? source.length) }));
}

function entryPoints(): Record<string, string> {
  const found: Record<string, string> = {};
  for (const file of walk(APP).filter((f) => /(^|\/)(actions|route)\.tsx?$/.test(f))) {
    const rel = path.relative(APP, file);
    const source = fs.readFileSync(file, 'utf8');
    if (rel.endsWith('actions.ts') && !/^['"]use server['"];?/m.test(source)) throw new Error(`${rel} has no 'use server'`);
    const stray = source.match(/^export\s+(?:const|let|var|default)\b/m);
    if (stray) throw new Error(`${rel} exports something that is not a function (${stray[0]}): every export of an actions or route file is an entry point`);
    for (const f of exportedFunctions(source)) {
      const m = /\b(?:guarded|guardedJson|authorize)\(\s*(?:[\w.]+\s*===\s*'\w+'\s*\?\s*)?'([a-z.-]+)'/.exec(f.body);
      found[`${rel}#${f.name}`] = m ? m[1] : 'none';
    }
  }
  return found;
}

describe('entry points', () => {
  const found = entryPoints();

  it('every server action and route handler has a decision, and uses the guard action decided for it', () => {
    const undecided = Object.keys(found).filter((k) => !(k in EXPECTED));
    expect(undecided, 'entry points without a decision in tests/auth/entry-points.test.ts').toEqual([]);
    const gone = Object.keys(EXPECTED).filter((k) => !(k in found));
    expect(gone, 'decided entry points that no longer exist').toEqual([]);
    for (const [k, action] of Object.entries(EXPECTED)) {
      if (action.startsWith('public:')) continue;
      expect(found[k], `${k} must go through the guard with '${action}'`).toBe(action);
    }
  });

  it('requires the role each action is meant for', () => {
    const roles = Object.fromEntries(Object.entries(EXPECTED).map(([k, a]) => [k, a.startsWith('public:') ? 'anyone' : ROLE_OF[a]]));
    expect(roles).toEqual({
      'databases/[name]/actions.ts#backupAction': 'operator',
      'databases/[name]/actions.ts#verifyChainAction': 'operator',
      'databases/[name]/actions.ts#verifyArtifactAction': 'operator',
      'databases/[name]/actions.ts#aggregateAction': 'admin',
      'databases/[name]/actions.ts#deleteArtifactAction': 'admin',
      'restore/actions.ts#previewRestoreAction': 'admin',
      'restore/actions.ts#restoreAction': 'admin',
      'jobs/actions.ts#cancelJobAction': 'operator',
      'cluster/actions.ts#memberControlAction': 'admin',
      'settings/actions.ts#addClusterAction': 'admin',
      'settings/actions.ts#deleteClusterAction': 'admin',
      'settings/actions.ts#addFolderAction': 'admin',
      'settings/actions.ts#deleteFolderAction': 'admin',
      'admin/users/actions.ts#createUserAction': 'admin',
      'admin/users/actions.ts#setRoleAction': 'admin',
      'admin/users/actions.ts#setDisabledAction': 'admin',
      'admin/users/actions.ts#resetPasswordAction': 'admin',
      'account/actions.ts#changePasswordAction': 'viewer',
      'account/actions.ts#logoutAction': 'anyone',
      'login/actions.ts#loginAction': 'anyone',
      'api/cluster/route.ts#GET': 'viewer',
      'api/jobs/route.ts#GET': 'viewer',
      'api/jobs/[id]/route.ts#GET': 'viewer',
      'api/lag/route.ts#GET': 'viewer',
      'api/databases/[name]/timeline/route.ts#GET': 'viewer',
      'api/metrics/route.ts#GET': 'bearer token or loopback',
    });
  });
});
