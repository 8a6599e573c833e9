/**
 * The database page's chain timeline with its window over thousands of artifacts: the shown window's place
 * ("artifacts 9,601–10,000 of 10,000"), Older/Newer, a strip of every window (each a link with its time and
 * transaction range), and "Go to" a transaction ID, a UTC time or a file name. Everything is a link or a GET
 * form, so the window lives in the address (shareable, Back works) and the server draws only the window.
 */
import Form from 'next/form';
import Link from 'next/link';
import { TimelineWorkspace } from '@/components/chains/timeline-workspace';
import { UtcTime } from '@/components/ui/utc-time';
import type { DatabasePageData } from '@/lib/dashboard/data';
import { packTimeline } from '@/lib/dashboard/timeline-payload';
import { stripSegments, type WindowPlan } from '@/lib/dashboard/timeline-window';
import { formatNumber } from '@/lib/format';
import { WindowStrip } from './window-strip';

type Data = Promise<DatabasePageData>;

/** The page's query, with some parameters changed (null drops one). */
export type QueryOf = (changes: Record<string, string | number | null>) => string;

export async function TimelineSection({ data, queryOf, goText }: { data: Data; queryOf: QueryOf; goText: string | null }) {
  const d = await data;
  const tl = d.timeline;
  if (tl.total === 0) {
    return (
      <div data-testid="timeline-empty" className="rounded-lg border border-dashed border-zinc-300 bg-white p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-400">
        No backups of {d.database} yet in the backup folder &ldquo;{d.folder.name}&rdquo; ({d.folder.path}).{' '}
        {d.overview.onCluster ? 'Start one below: the first backup is always a full; the next ones can be differentials.' : 'It is not on any registered cluster either; choose another backup folder.'}
      </div>
    );
  }
  const w = tl.window;
  const windowed = w.total > w.size;
  // "now" on the timeline (of the newest window): the writer's last committed transaction, followed live
  const o = d.overview;
  const live = o.onCluster && d.cluster && (!windowed || w.newer === null) ? { clusterId: d.cluster.cluster.id, initialWriter: o.writerMemberId && o.writerLastTx !== null ? { memberId: o.writerMemberId, lastTx: o.writerLastTx, storeId: o.writerStoreId } : null } : null;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="timeline-count" data-shown={tl.shown} data-total={tl.total} data-start={w.start} data-end={w.end}>
          {windowed ? (
            <>
              Showing artifacts {formatNumber(w.start + 1)}–{formatNumber(w.end)} of {formatNumber(w.total)}
              {w.newer === null ? ' (the newest)' : w.older === null ? ' (the oldest)' : ''}, in {tl.generations.length} generation{tl.generations.length === 1 ? '' : 's'}.
            </>
          ) : (
            <>
              Showing all {formatNumber(tl.total)} artifact{tl.total === 1 ? '' : 's'} in {tl.generations.length} generation{tl.generations.length === 1 ? '' : 's'}.
            </>
          )}
        </p>
        {windowed ? <GoTo queryOf={queryOf} goText={goText} /> : null}
      </div>
      {w.targetProblem ? (
        <p role="alert" data-testid="timeline-go-problem" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
          Cannot go to {goText ? `“${goText}”` : 'that backup'}: {w.targetProblem}. Showing the newest backups.
        </p>
      ) : null}
      {windowed ? <WindowNav window={w} queryOf={queryOf} /> : null}
      <TimelineWorkspace
        key={`${w.start}-${w.targetId ?? ''}`}
        timeline={packTimeline(tl)}
        folderId={d.folder.id}
        initialSelectedId={w.targetId}
        live={live}
        engineNote={
          d.neo4j?.folderIsLocation
            ? `A backup of the Neo4j cluster ${d.neo4j.name}, in Neo4j's format: restore it by seeding (Restore as a new database, below); check, aggregate or remove it with neo4j-admin.`
            : null
        }
      />
    </div>
  );
}

/** "Go to": a transaction ID, a UTC time or a file name; the server finds its window (and opens the backup). */
function GoTo({ queryOf, goText }: { queryOf: QueryOf; goText: string | null }) {
  // the form keeps the page's other parameters (folder, window size) as hidden fields
  const keep = new URLSearchParams(queryOf({ go: null, from: null, artifact: null }).replace(/^\?/, ''));
  return (
    <Form action="" className="flex items-center gap-2 text-sm" aria-label="Go to a backup">
      {[...keep.entries()].map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <label htmlFor="timeline-go" className="text-zinc-600 dark:text-zinc-400">
        Go to
      </label>
      <input
        id="timeline-go"
        name="go"
        defaultValue={goText ?? ''}
        placeholder="transaction, UTC time or file"
        aria-describedby="timeline-go-hint"
        className="w-64 rounded-md border border-zinc-300 bg-white px-2 py-1 font-mono text-xs outline-none focus-visible:ring-2 focus-visible:ring-teal-500 dark:border-zinc-700 dark:bg-zinc-900"
      />
      <span id="timeline-go-hint" className="sr-only">
        A transaction ID such as 12345, a UTC time as YYYY-MM-DD HH:MM:SS, or a backup&apos;s file name: the timeline shows the window holding it and opens that backup.
      </span>
      <button
        type="submit"
        className="rounded-md border border-zinc-300 px-2.5 py-1 font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-teal-600 dark:border-zinc-700 dark:hover:bg-zinc-800"
      >
        Go
      </button>
    </Form>
  );
}

/** Older / Newer and the strip of every window, oldest on the left, as a DBA reads a time line. */
function WindowNav({ window: w, queryOf }: { window: WindowPlan; queryOf: QueryOf }) {
  const link =
    'rounded-md border border-zinc-300 px-2.5 py-1 font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-teal-600 dark:border-zinc-700 dark:hover:bg-zinc-800';
  const off = 'rounded-md border border-zinc-200 px-2.5 py-1 text-zinc-400 dark:border-zinc-800 dark:text-zinc-600';
  const pages = stripSegments([...w.pages].reverse());
  const newestStart = w.pages[0]?.start ?? 0;
  const go = (start: number) => queryOf({ from: start === newestStart ? null : start, go: null, artifact: null });
  return (
    <nav aria-label="Windows of the timeline" data-testid="timeline-windows" className="space-y-2 text-sm">
      <div className="flex flex-wrap items-center gap-2">
        {w.older !== null ? (
          <Link href={go(w.older)} scroll={false} className={link} rel="prev">
            ← Older
          </Link>
        ) : (
          <span className={off} aria-disabled="true">
            ← Older
          </span>
        )}
        {w.newer !== null ? (
          <Link href={go(w.newer)} scroll={false} className={link} rel="next">
            Newer →
          </Link>
        ) : (
          <span className={off} aria-disabled="true">
            Newer →
          </span>
        )}
        <span className="text-xs text-zinc-500 dark:text-zinc-400">
          {formatNumber(w.size)} artifact{w.size === 1 ? '' : 's'} a window · <UtcTime value={w.pages[w.pages.length - 1]?.firstTime ?? null} /> to <UtcTime value={w.pages[0]?.lastTime ?? null} />
        </span>
      </div>
      <WindowStrip pages={pages} current={{ start: w.start, end: w.end }} hrefs={pages.map((p) => go(p.start))} />
    </nav>
  );
}
