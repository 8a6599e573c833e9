'use client';

/**
 * Whole-chain actions of a database: verify every artifact (checksums, links, store consistency) and
 * aggregate the latest chain into one recovered full (asks first, naming what it folds and deletes).
 */
import { useActionState } from 'react';
import { aggregateAction, verifyChainAction } from '@/app/databases/[name]/actions';
import { useCan } from '@/components/auth/permissions';
import { StartedJobNote } from '@/components/jobs/started-job-footer';
import { ConfirmButton } from '@/components/ui/confirm-dialog';
import { HiddenFields } from '@/components/ui/hidden-fields';
import { BUTTON_LOOK, PendingButton } from '@/components/ui/pending-button';

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
  const mayVerify = useCan('chain.verify');
  const mayAggregate = useCan('chain.aggregate');
  const fields = { folderId, database, ...(clusterId !== null ? { clusterId } : {}) };
  const none = artifactCount === 0;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        {mayVerify ? (
          <form action={verifyAction}>
            <HiddenFields fields={fields} />
            <PendingButton pending={verifying} pendingLabel="Starting…" disabled={none} className={BUTTON_LOOK.secondary}>
              Verify chains
            </PendingButton>
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
        <StartedJobNote state={verify} kind="verify" database={database} refreshOnFinish={false} />
        <StartedJobNote state={agg} kind="aggregate" database={database} refreshOnFinish={false} />
      </div>
    </div>
  );
}
