import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { UtcTime } from '@/components/ui/utc-time';
import { listAudit, parseTimeRange } from '@/lib/auth/audit';
import { authorize, requireCaller } from '@/lib/server/auth';
import { serverContext } from '@/lib/server/context';

export const metadata: Metadata = { title: 'Audit log' };

const OUTCOMES = ['ok', 'denied', 'failed'] as const;
const PAGE = 100;

type Search = { user?: string; action?: string; outcome?: string; before?: string; from?: string; to?: string };

const text = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  await connection();
  await requireCaller('/admin/audit');
  const d = await authorize('audit.read', '/admin/audit');
  if (!d.ok) {
    return (
      <p role="alert" className="text-sm text-red-700 dark:text-red-400">
        {d.error}
      </p>
    );
  }
  const q = await searchParams;
  const outcome = OUTCOMES.find((o) => o === q.outcome);
  const before = q.before && /^\d+$/.test(q.before) ? Number(q.before) : undefined;
  const user = text(q.user, 64);
  const action = text(q.action, 64);
  const fromText = text(q.from, 32);
  const toText = text(q.to, 32);
  const range = parseTimeRange({ from: fromText, to: toText });
  const rows = range.error
    ? []
    : listAudit(serverContext().db, { username: user || undefined, action: action || undefined, outcome, from: range.from, to: range.to, beforeId: before, limit: PAGE });
  const older = rows.length === PAGE ? rows[rows.length - 1].id : null;
  const kept: Record<string, string> = { user, action, outcome: outcome ?? '', from: fromText, to: toText };
  const params = (extra: Record<string, string>) => new URLSearchParams(Object.entries({ ...kept, ...extra }).filter(([, v]) => v !== '')).toString();
  const field = 'rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900';
  return (
    <div className="space-y-5">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Audit log</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">Every sign-in, backup, restore, aggregation, deletion, user and setting change, cluster control and refused action. Entries cannot be changed or removed.</p>
      </div>
      <form method="get" className="flex flex-wrap items-end gap-3" aria-label="Filter the audit log">
        <label className="text-sm">
          <span className="block font-medium">User</span>
          <input name="user" defaultValue={user} className={field} />
        </label>
        <label className="text-sm">
          <span className="block font-medium">Action (prefix)</span>
          <input name="action" defaultValue={action} placeholder="restore, backup, login…" className={field} />
        </label>
        <UtcField name="from" label="From" value={fromText} className={field} />
        <UtcField name="to" label="To" value={toText} className={field} />
        <label className="text-sm">
          <span className="block font-medium">Outcome</span>
          <select name="outcome" defaultValue={outcome ?? ''} className={field}>
            <option value="">any</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="rounded-md bg-teal-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-teal-800">
          Filter
        </button>
      </form>
      <p id="audit-range-hint" className="-mt-3 text-xs text-zinc-500 dark:text-zinc-400">
        Times are UTC, 24-hour: a day (2026-05-01), a minute (2026-05-01 14:30) or a second (2026-05-01 14:30:05); To includes the whole day, minute or second.
      </p>
      <p id="audit-range-error" role="alert" aria-live="polite" className="text-sm text-red-700 dark:text-red-400">
        {range.error ?? ''}
      </p>
      {range.error ? null : rows.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">No entries match.</p>
      ) : (
        <table className="w-full text-left text-sm" data-testid="audit-table">
          <caption className="sr-only">Audit entries, newest first</caption>
          <thead className="border-b border-zinc-200 text-zinc-500 dark:border-zinc-800">
            <tr>
              <th className="py-2 pr-3 font-medium">Time (UTC)</th>
              <th className="py-2 pr-3 font-medium">User</th>
              <th className="py-2 pr-3 font-medium">Address</th>
              <th className="py-2 pr-3 font-medium">Action</th>
              <th className="py-2 pr-3 font-medium">Target</th>
              <th className="py-2 pr-3 font-medium">Outcome</th>
              <th className="py-2 font-medium">Detail</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} className="border-b border-zinc-100 align-top dark:border-zinc-800/60" data-testid="audit-row" data-id={r.id} data-action={r.action} data-outcome={r.outcome} data-user={r.username ?? ''} data-address={r.address ?? ''} data-target={r.target ?? ''}>
                <td className="whitespace-nowrap py-1.5 pr-3">
                  <UtcTime value={r.at} />
                </td>
                <td className="py-1.5 pr-3">{r.username ?? '—'}</td>
                <td className="py-1.5 pr-3">{r.address ?? '—'}</td>
                <td className="py-1.5 pr-3 font-mono text-xs">{r.action}</td>
                <td className="py-1.5 pr-3">{r.target ?? ''}</td>
                <td className={`py-1.5 pr-3 ${r.outcome === 'ok' ? 'text-teal-700 dark:text-teal-400' : 'text-red-700 dark:text-red-400'}`}>{r.outcome}</td>
                <td className="py-1.5 text-zinc-600 dark:text-zinc-400">{r.detail ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {older !== null && (
        <Link href={`/admin/audit?${params({ before: String(older) })}`} className="text-sm text-teal-700 underline dark:text-teal-400">
          Older entries
        </Link>
      )}
    </div>
  );
}

/** A UTC time filter: typed as text (24-hour, no locale's date picker), checked by its pattern. */
function UtcField({ name, label, value, className }: { name: string; label: string; value: string; className: string }) {
  return (
    <label className="text-sm">
      <span className="block font-medium">{label} (UTC)</span>
      <input
        name={name}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        spellCheck={false}
        placeholder="YYYY-MM-DD HH:MM:SS"
        pattern="\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?"
        title="UTC, 24-hour: YYYY-MM-DD, YYYY-MM-DD HH:MM or YYYY-MM-DD HH:MM:SS"
        defaultValue={value}
        className={`${className} w-48 font-mono`}
        aria-describedby="audit-range-hint audit-range-error"
      />
    </label>
  );
}
