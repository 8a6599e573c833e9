'use client';

/**
 * Whole-chain actions of a database: verify every artifact (checksums, links, store consistency) and
 * aggregate the latest chain into one recovered full (asks first, naming what it folds and deletes).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useActionState, useEffect } from 'react';
import { aggregateAction, verifyChainAction } from '@/app/databases/[name]/actions';
import { useCan } from '@/components/auth/permissions';
import { FormError } from '@/components/ui/field-errors';
import { jobKeys } from '@/components/jobs/jobs-query';
import { StartedJob } from '@/components/jobs/started-job';
import { ConfirmButton } from '@/components/ui/confirm-dialog';

type State = Awaited<ReturnType<typeof verifyChainAction>> | null;

export function ChainActions({
  clusterId,
  folderId,
  database,
  artifactCount,
  latestChain,
  latestChainLength = latestChain.length,
}: {
  clusterId: number | null;
  folderId: number;
  database: string;
  artifactCount: number;
  /** the latest chain's files, full first (a long one: its first and last few, with a line for the rest) */
  latestChain: string[];
  /** how many artifacts the latest chain has (when `latestChain` lists only some) */
  latestChainLength?: number;
}) {
  const [verify, verifyAction, verifying] = useActionState<State, FormData>(verifyChainAction, null);
  const [agg, aggAction, aggregating] = useActionState<State, FormData>(aggregateAction, null);
  const qc = useQueryClient();
  useEffect(() => {
    if (verify?.ok || agg?.ok) void qc.invalidateQueries({ queryKey: jobKeys.all });
  }, [verify, agg, qc]);
  const mayVerify = useCan('chain.verify');
  const mayAggregate = useCan('chain.aggregate');
  const fields = { folderId, database, ...(clusterId !== null ? { clusterId } : {}) };
  const none = artifactCount === 0;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        {mayVerify ? (
          <form action={verifyAction}>
            {Object.entries(fields).map(([k, v]) => (
              <input key={k} type="hidden" name={k} value={v} />
            ))}
            <button
              type="submit"
              disabled={verifying || none}
              className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
            >
              {verifying ? 'Starting…' : 'Verify chains'}
            </button>
          </form>
        ) : null}
        {mayAggregate ? (
          <ConfirmButton
            triggerLabel="Aggregate latest chain…"
            title={`Aggregate the latest chain of ${database}?`}
            confirmLabel="Aggregate"
            action={aggAction}
            fields={fields}
            pending={aggregating}
            destructive={false}
            disabled={latestChainLength < 2}
          >
            <p>
              The {latestChainLength} artifacts of the latest chain are folded into one recovered full backup at the chain&apos;s
              last transaction. Then the old artifacts are deleted (those still the parent of another backup are kept):
            </p>
            <ul className="max-h-48 list-disc overflow-auto pl-5 font-mono text-xs">
              {latestChain.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ul>
          </ConfirmButton>
        ) : null}
      </div>
      {!mayVerify ? <p className="text-xs text-zinc-500">Verifying needs the operator role; aggregating, the admin role.</p> : !mayAggregate ? <p className="text-xs text-zinc-500">Aggregating needs the admin role.</p> : null}
      {none ? <p className="text-xs text-zinc-500">Nothing to verify or aggregate yet: take a backup first.</p> : null}
      {latestChainLength === 1 ? <p className="text-xs text-zinc-500">The latest chain is a single full: nothing to aggregate.</p> : null}
      <div aria-live="polite" className="space-y-2">
        <FormError state={verify} />
        <FormError state={agg} />
        {verify?.ok ? <StartedJob jobId={verify.jobId} kind="verify" database={database} refreshOnFinish={false} /> : null}
        {agg?.ok ? <StartedJob jobId={agg.jobId} kind="aggregate" database={database} refreshOnFinish={false} /> : null}
      </div>
    </div>
  );
}
