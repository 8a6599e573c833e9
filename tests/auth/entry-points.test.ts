/**
 * Every server action and route handler of the app, and the role each requires. The entry points are found
 * by parsing every .ts/.tsx under app/, components/ and lib/ (tests/auth/entry-point-scan.ts): 'use server'
 * files and functions, and the HTTP-method exports of route files however they are exported. A new entry
 * point without a decision here fails the suite: decide who may call it (an action in lib/auth/guard.ts),
 * call the guard with it first thing, and add it below. The fixture case proves the check catches the ways
 * an entry point can slip by.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ACTIONS, roleFor, type Action } from '../../lib/auth/guard';
import { EntryPointScanner, type EntryPoint } from './entry-point-scan';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** entry point -> the guard action(s) it must ask for, or 'public:<why>' for the two that are open to anyone */
const EXPECTED: Record<string, string | string[]> = {
  'app/databases/[name]/actions.ts#backupAction': 'backup.start',
  'app/databases/[name]/actions.ts#verifyChainAction': 'chain.verify',
  'app/databases/[name]/actions.ts#verifyArtifactAction': 'artifact.verify',
  'app/databases/[name]/actions.ts#aggregateAction': 'chain.aggregate',
  'app/databases/[name]/actions.ts#deleteArtifactAction': 'artifact.delete',
  'app/databases/[name]/schedule-actions.ts#setScheduleAction': 'schedule.set',
  'app/databases/[name]/schedule-actions.ts#removeScheduleAction': 'schedule.remove',
  'app/databases/[name]/retention-actions.ts#previewRetentionAction': 'retention.preview',
  'app/databases/[name]/retention-actions.ts#saveRetentionAction': 'retention.set',
  'app/databases/[name]/retention-actions.ts#removeRetentionAction': 'retention.remove',
  'app/databases/[name]/drill-actions.ts#drillAction': 'drill.start',
  'app/databases/[name]/drill-actions.ts#setDrillTargetAction': 'drill.target',
  'app/restore/actions.ts#previewRestoreAction': 'restore.preview',
  'app/restore/actions.ts#restoreAction': 'restore.start',
  // the wizard's search of the databases by name at fleet size: what the wizard itself may see
  'app/restore/actions.ts#findDatabasesAction': 'restore.preview',
  'app/jobs/actions.ts#cancelJobAction': 'job.cancel',
  'app/cluster/actions.ts#memberControlAction': 'cluster.control',
  'app/settings/actions.ts#addClusterAction': 'settings.write',
  'app/settings/actions.ts#addNeo4jClusterAction': 'settings.write',
  'app/settings/actions.ts#testFolderConnectionAction': 'settings.write',
  'app/databases/[name]/actions.ts#seedRestoreAction': 'restore.start',
  'app/settings/actions.ts#deleteClusterAction': 'settings.write',
  'app/settings/actions.ts#setClusterTokenAction': 'settings.write',
  'app/settings/actions.ts#addFolderAction': 'settings.write',
  'app/settings/actions.ts#deleteFolderAction': 'settings.write',
  'app/admin/users/actions.ts#createUserAction': 'users.create',
  'app/admin/users/actions.ts#setRoleAction': 'users.role',
  'app/admin/users/actions.ts#setDisabledAction': ['users.enable', 'users.disable'],
  'app/admin/users/actions.ts#resetPasswordAction': 'users.reset-password',
  'app/account/actions.ts#changePasswordAction': 'account.password',
  // signing out ends whatever session the cookie names; nothing else
  'app/account/actions.ts#logoutAction': 'public:logout',
  // signing in is open to anyone, slowed down after repeated failures
  'app/login/actions.ts#loginAction': 'public:login',
  'app/api/cluster/route.ts#GET': 'cluster.read',
  'app/api/jobs/route.ts#GET': 'jobs.read',
  'app/api/jobs/[id]/route.ts#GET': 'jobs.read',
  'app/api/lag/route.ts#GET': 'cluster.read',
  'app/api/databases/[name]/timeline/route.ts#GET': 'catalog.read',
  // what the restore wizard reads of the data backed up: admins only, like the wizard
  'app/api/databases/[name]/transactions/route.ts#GET': 'restore.preview',
  'app/api/databases/[name]/preview/route.ts#GET': 'restore.preview',
  'app/api/metrics/route.ts#GET': 'metrics.scrape',
  'app/api/overview/route.ts#GET': 'catalog.read',
  'app/alerts/actions.ts#acknowledgeAlertAction': 'alert.acknowledge',
  'app/alerts/actions.ts#saveRuleAction': 'alert.rules',
  'app/alerts/actions.ts#resetRuleAction': 'alert.rules',
  'app/alerts/actions.ts#addWebhookAction': 'webhook.write',
  'app/alerts/actions.ts#removeWebhookAction': 'webhook.write',
  'app/alerts/actions.ts#testWebhookAction': 'webhook.test',
  'app/api/alerts/route.ts#GET': 'alerts.read',
};

const roleOf = (a: string) => (a.startsWith('public:') ? 'anyone' : (roleFor(a as Action) ?? 'bearer token or loopback'));

/** What is wrong with the entry points found, measured against the decisions; empty when all is well. */
function problems(found: EntryPoint[], expected: Record<string, string | string[]>): string[] {
  const out: string[] = [];
  const ids = new Set(found.map((e) => e.id));
  for (const e of found) {
    if (e.problem) out.push(`${e.id}: ${e.problem}`);
    const decision = expected[e.id];
    if (decision === undefined) {
      out.push(`${e.id}: ${/^[aeiou]/.test(e.kind) ? 'an' : 'a'} ${e.kind} without a decision in tests/auth/entry-points.test.ts`);
      continue;
    }
    if (typeof decision === 'string' && decision.startsWith('public:')) continue;
    const want = [decision].flat().sort();
    const unknown = e.actions.filter((a) => !(a in ACTIONS));
    if (unknown.length) out.push(`${e.id}: asks the guard for unknown actions ${unknown.join(', ')}`);
    if (e.actions.length === 0) out.push(`${e.id}: does not call the guard first thing (guarded/guardedJson/authorize('${want.join("' or '")}', ...) in a top-level statement)`);
    else if (JSON.stringify([...e.actions].sort()) !== JSON.stringify(want)) out.push(`${e.id}: asks the guard for ${[...e.actions].sort().join(', ')}, decided: ${want.join(', ')}`);
  }
  for (const id of Object.keys(expected)) if (!ids.has(id)) out.push(`${id}: decided, but no longer an entry point`);
  return out;
}

describe('entry points', () => {
  const found = new EntryPointScanner(ROOT, path.join(ROOT, 'app'), ['app', 'components', 'lib'].map((d) => path.join(ROOT, d))).scan();

  it('every server action and route handler has a decision, and asks the guard for it first thing', () => {
    expect(found.length).toBeGreaterThanOrEqual(Object.keys(EXPECTED).length);
    expect(problems(found, EXPECTED)).toEqual([]);
  });

  it('requires the role each action is meant for', () => {
    const roles = Object.fromEntries(Object.entries(EXPECTED).map(([k, a]) => [k, [a].flat().map(roleOf).join(' | ')]));
    expect(roles).toEqual({
      'app/databases/[name]/actions.ts#backupAction': 'operator',
      'app/databases/[name]/actions.ts#verifyChainAction': 'operator',
      'app/databases/[name]/actions.ts#verifyArtifactAction': 'operator',
      'app/databases/[name]/actions.ts#aggregateAction': 'admin',
      'app/databases/[name]/actions.ts#deleteArtifactAction': 'admin',
      'app/databases/[name]/schedule-actions.ts#setScheduleAction': 'operator',
      'app/databases/[name]/schedule-actions.ts#removeScheduleAction': 'operator',
      'app/databases/[name]/retention-actions.ts#previewRetentionAction': 'admin',
      'app/databases/[name]/retention-actions.ts#saveRetentionAction': 'admin',
      'app/databases/[name]/retention-actions.ts#removeRetentionAction': 'admin',
      'app/databases/[name]/drill-actions.ts#drillAction': 'operator',
      'app/databases/[name]/drill-actions.ts#setDrillTargetAction': 'admin',
      'app/restore/actions.ts#previewRestoreAction': 'admin',
      'app/restore/actions.ts#findDatabasesAction': 'admin',
      'app/restore/actions.ts#restoreAction': 'admin',
      'app/jobs/actions.ts#cancelJobAction': 'operator',
      'app/cluster/actions.ts#memberControlAction': 'admin',
      'app/settings/actions.ts#addClusterAction': 'admin',
      'app/settings/actions.ts#addNeo4jClusterAction': 'admin',
      'app/settings/actions.ts#testFolderConnectionAction': 'admin',
      'app/databases/[name]/actions.ts#seedRestoreAction': 'admin',
      'app/settings/actions.ts#deleteClusterAction': 'admin',
      'app/settings/actions.ts#setClusterTokenAction': 'admin',
      'app/settings/actions.ts#addFolderAction': 'admin',
      'app/settings/actions.ts#deleteFolderAction': 'admin',
      'app/admin/users/actions.ts#createUserAction': 'admin',
      'app/admin/users/actions.ts#setRoleAction': 'admin',
      'app/admin/users/actions.ts#setDisabledAction': 'admin | admin',
      'app/admin/users/actions.ts#resetPasswordAction': 'admin',
      'app/account/actions.ts#changePasswordAction': 'viewer',
      'app/account/actions.ts#logoutAction': 'anyone',
      'app/login/actions.ts#loginAction': 'anyone',
      'app/api/cluster/route.ts#GET': 'viewer',
      'app/api/jobs/route.ts#GET': 'viewer',
      'app/api/jobs/[id]/route.ts#GET': 'viewer',
      'app/api/lag/route.ts#GET': 'viewer',
      'app/api/databases/[name]/timeline/route.ts#GET': 'viewer',
      'app/api/databases/[name]/transactions/route.ts#GET': 'admin',
      'app/api/databases/[name]/preview/route.ts#GET': 'admin',
      'app/api/metrics/route.ts#GET': 'bearer token or loopback',
      'app/api/overview/route.ts#GET': 'viewer',
      'app/alerts/actions.ts#acknowledgeAlertAction': 'operator',
      'app/alerts/actions.ts#saveRuleAction': 'operator',
      'app/alerts/actions.ts#resetRuleAction': 'operator',
      'app/alerts/actions.ts#addWebhookAction': 'admin',
      'app/alerts/actions.ts#removeWebhookAction': 'admin',
      'app/alerts/actions.ts#testWebhookAction': 'admin',
      'app/api/alerts/route.ts#GET': 'viewer',
    });
  });
});

describe('the entry-point check, on a fixture app', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-entry-points-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  write(
    'app/things/actions.ts',
    `/** a header comment first: the directive still counts */
'use server';
import { guarded } from '@/lib/server/action';
export async function goodAction(input: unknown) {
  const r = await guarded('backup.start', (ctx) => ctx, input);
  return r;
}
export async function commentOnlyAction() {
  // guarded('backup.start', ...) is only mentioned here
  return "guarded('backup.start')";
}
export async function nestedOnlyAction() {
  const later = () => guarded('backup.start', () => 1);
  return { ok: true, later: typeof later };
}
export async function branchOnlyAction(x: boolean) {
  if (x) return guarded('backup.start', () => 1);
  return { ok: true };
}
export async function unknownAction() {
  return guarded('backup.everything', () => 1);
}
export const arrowAction = async () => guarded('job.cancel', () => 1);
async function hidden() {
  return { ok: true };
}
export { hidden as renamedAction };
export default async function defaultAction() {
  return guarded('restore.start', () => 1);
}
`,
  );
  write(
    'components/widget.tsx',
    `export function Widget() {
  async function save(form: FormData) {
    'use server';
    return form.get('x');
  }
  const guardedSave = async () => {
    'use server';
    return guarded('settings.write', () => 1);
  };
  return <form action={save}>{String(guardedSave)}</form>;
}
declare function guarded(a: string, f: () => unknown): unknown;
`,
  );
  write(
    'lib/not-an-action.ts',
    `const x = 1;
'use server';
export async function notAnAction() {
  return x;
}
`,
  );
  write(
    'app/api/x/route.ts',
    `import { guardedJson } from '@/lib/server/action';
async function handler() {
  return guardedJson('jobs.read', () => ({}));
}
export { handler as POST };
export * from './more';
`,
  );
  write(
    'app/api/x/more.ts',
    `export async function GET() {
  return Response.json({ everything: true });
}
export function helper() {
  return 1;
}
`,
  );
  write(
    'app/api/y/route.ts',
    `import { handler as imported } from './handlers';
export { GET as HEAD } from '../x/more';
export const DELETE = imported;
export const PUT = wrap(async () => new Response('x'));
declare function wrap(f: () => Promise<Response>): () => Promise<Response>;
`,
  );
  write(
    'app/api/y/handlers.ts',
    `import { guardedJson } from '@/lib/server/action';
export const handler = async () => guardedJson('settings.write', () => ({}));
`,
  );

  const found = new EntryPointScanner(dir, path.join(dir, 'app'), ['app', 'components', 'lib'].map((d) => path.join(dir, d))).scan();

  it('finds every entry point, however declared or exported, and what it asks the guard for', () => {
    expect(found.map(({ id, kind, actions, problem }) => ({ id, kind, actions, ...(problem ? { problem } : {}) }))).toEqual([
      { id: 'app/api/x/route.ts#GET', kind: 'route handler', actions: [] },
      { id: 'app/api/x/route.ts#POST', kind: 'route handler', actions: ['jobs.read'] },
      { id: 'app/api/y/route.ts#DELETE', kind: 'route handler', actions: ['settings.write'] },
      { id: 'app/api/y/route.ts#HEAD', kind: 'route handler', actions: [] },
      { id: 'app/api/y/route.ts#PUT', kind: 'route handler', actions: [], problem: 'made by calling a function (a wrapper): the guard check cannot see inside' },
      { id: 'app/things/actions.ts#arrowAction', kind: 'server action', actions: ['job.cancel'] },
      { id: 'app/things/actions.ts#branchOnlyAction', kind: 'server action', actions: [] },
      { id: 'app/things/actions.ts#commentOnlyAction', kind: 'server action', actions: [] },
      { id: 'app/things/actions.ts#default', kind: 'server action', actions: ['restore.start'] },
      { id: 'app/things/actions.ts#goodAction', kind: 'server action', actions: ['backup.start'] },
      { id: 'app/things/actions.ts#nestedOnlyAction', kind: 'server action', actions: [] },
      { id: 'app/things/actions.ts#renamedAction', kind: 'server action', actions: [] },
      { id: 'app/things/actions.ts#unknownAction', kind: 'server action', actions: ['backup.everything'] },
      { id: 'components/widget.tsx#guardedSave', kind: 'inline server action', actions: ['settings.write'] },
      { id: 'components/widget.tsx#save', kind: 'inline server action', actions: [] },
    ]);
  });

  it('fails for each entry point without a decision, without the guard first thing, or with another action than decided', () => {
    const decided = {
      'app/things/actions.ts#goodAction': 'backup.start',
      'app/things/actions.ts#arrowAction': 'job.cancel',
      'app/things/actions.ts#default': 'chain.aggregate',
      'app/things/actions.ts#commentOnlyAction': 'backup.start',
      'app/things/actions.ts#nestedOnlyAction': 'backup.start',
      'app/things/actions.ts#branchOnlyAction': 'backup.start',
      'app/things/actions.ts#unknownAction': 'backup.start',
      'app/api/x/route.ts#POST': 'jobs.read',
      'app/api/y/route.ts#DELETE': 'settings.write',
      'components/widget.tsx#guardedSave': 'settings.write',
      'app/gone/actions.ts#removedAction': 'backup.start',
    };
    expect(problems(found, decided)).toEqual([
      'app/api/x/route.ts#GET: a route handler without a decision in tests/auth/entry-points.test.ts',
      'app/api/y/route.ts#HEAD: a route handler without a decision in tests/auth/entry-points.test.ts',
      'app/api/y/route.ts#PUT: made by calling a function (a wrapper): the guard check cannot see inside',
      'app/api/y/route.ts#PUT: a route handler without a decision in tests/auth/entry-points.test.ts',
      "app/things/actions.ts#branchOnlyAction: does not call the guard first thing (guarded/guardedJson/authorize('backup.start', ...) in a top-level statement)",
      "app/things/actions.ts#commentOnlyAction: does not call the guard first thing (guarded/guardedJson/authorize('backup.start', ...) in a top-level statement)",
      'app/things/actions.ts#default: asks the guard for restore.start, decided: chain.aggregate',
      "app/things/actions.ts#nestedOnlyAction: does not call the guard first thing (guarded/guardedJson/authorize('backup.start', ...) in a top-level statement)",
      'app/things/actions.ts#renamedAction: a server action without a decision in tests/auth/entry-points.test.ts',
      'app/things/actions.ts#unknownAction: asks the guard for unknown actions backup.everything',
      'app/things/actions.ts#unknownAction: asks the guard for backup.everything, decided: backup.start',
      'components/widget.tsx#save: an inline server action without a decision in tests/auth/entry-points.test.ts',
      'app/gone/actions.ts#removedAction: decided, but no longer an entry point',
    ]);
  });
});
