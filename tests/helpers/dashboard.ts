/**
 * The dashboard's command context as the server puts it together, for tests that start real jobs: a job runner
 * of the built CLI (bin/txline.mjs) that, when a job ends, brings the catalog in line with its folder
 * (`reindex`) and applies what the job changed (lib/jobs/effects.ts), and a collector that has read the clusters
 * once. The caller stops the runner (`ctx.runner.stopAll()`) in its afterAll.
 */
import type { Catalog } from '../../lib/db';
import type { CommandContext } from '../../lib/dashboard/commands/shared';
import type { TxlineEnv } from '../../lib/env';
import { applyJobEffects } from '../../lib/jobs/effects';
import { JobRunner } from '../../lib/jobs/runner';
import { Collector } from '../../lib/monitor/collector';
import { TXLINE_BIN } from './engine';

export async function serverContext(db: Catalog, env: TxlineEnv, reindex: CommandContext['reindex']): Promise<CommandContext> {
  const runner = new JobRunner(db, {
    bin: TXLINE_BIN,
    onFinished: async (job) => {
      await reindex(job.folderId ?? undefined);
      applyJobEffects(db, job);
    },
  });
  const collector = new Collector(db, env, { intervalMs: 1000 });
  await collector.tick();
  return { db, runner, collector, env, reindex };
}
