/**
 * The soak's lag-sample ledger: which samples the dashboard's collector stored during a run, and how many of
 * those its cadence promised are missing.
 *
 * The collector stores one sample per member and database each round (every TXLINE_COLLECT_MS), stamped with
 * the round's start floored to the second; a member that does not answer, or a database that is stopped (a
 * restore), still gets a sample with online = 0. So each (member, database) series should hold a sample every
 * `step` = max(1 s, TXLINE_COLLECT_MS): a gap of k steps between two samples is k - 1 samples lost, and so are
 * the whole steps between the window's edges and the first and last samples. The window leaves out the first
 * and last step of the run (a round under way when it starts or ends). A database created during the run is
 * counted on each member from that member's first sample of it (a follower copies a new database a moment
 * after the writer has it).
 */

export interface SeriesCount {
  expected: number;
  recorded: number;
  lost: number;
}

/** The samples of one series inside [from, to]: how many there are and how many whole steps have none. */
export function countSeries(times: Iterable<number>, { from, to, step }: { from: number; to: number; step: number }): SeriesCount {
  const inside = [...new Set(times)].filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  if (to < from) return { expected: 0, recorded: 0, lost: 0 };
  if (inside.length === 0) {
    const expected = Math.floor((to - from) / step) + 1;
    return { expected, recorded: 0, lost: expected };
  }
  let lost = Math.floor((inside[0] - from) / step) + Math.floor((to - inside[inside.length - 1]) / step);
  for (let i = 1; i < inside.length; i++) lost += Math.max(0, Math.round((inside[i] - inside[i - 1]) / step) - 1);
  return { expected: inside.length + lost, recorded: inside.length, lost };
}

export class SampleLedger {
  /** sample times by member, then database */
  private readonly series = new Map<string, Map<string, Set<number>>>();

  add(member: string, database: string, ts: number): void {
    let dbs = this.series.get(member);
    if (!dbs) this.series.set(member, (dbs = new Map()));
    let times = dbs.get(database);
    if (!times) dbs.set(database, (times = new Set()));
    times.add(ts);
  }

  /**
   * Per member, the samples expected, recorded and lost over the run [start, end]: every member is expected
   * to sample every database that existed at the start (`databases`) over the whole window, and every
   * database it sampled later from its first sample of it.
   */
  account({ start, end, step, members, databases }: { start: number; end: number; step: number; members: string[]; databases: string[] }): Map<string, SeriesCount> {
    const from = start + step;
    const to = end - step;
    const out = new Map<string, SeriesCount>();
    for (const member of new Set([...members, ...this.series.keys()])) {
      const seen = this.series.get(member) ?? new Map<string, Set<number>>();
      const total: SeriesCount = { expected: 0, recorded: 0, lost: 0 };
      for (const database of new Set([...databases, ...seen.keys()])) {
        const times = seen.get(database) ?? new Set<number>();
        const first = databases.includes(database) ? from : Math.max(from, Math.min(...times));
        const c = countSeries(times, { from: first, to, step });
        total.expected += c.expected;
        total.recorded += c.recorded;
        total.lost += c.lost;
      }
      out.set(member, total);
    }
    return out;
  }

  /**
   * The steps of the run's window in which no series got a sample: rounds the collector did not run (its
   * process was busy or starved of CPU when they were due), as opposed to members or databases left out.
   */
  roundsMissed({ start, end, step }: { start: number; end: number; step: number }): number {
    const all = [...this.series.values()].flatMap((dbs) => [...dbs.values()].flatMap((times) => [...times]));
    return countSeries(all, { from: start + step, to: end - step, step }).lost;
  }
}
