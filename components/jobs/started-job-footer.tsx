'use client';

/**
 * What follows a job form's button: the action's error (with its code's hint, and the errors of fields the form
 * does not show), or the job it started, followed live (StartedJob). Starting a job refreshes every job list
 * (`jobKeys.all`), so a database's recent jobs show it at once. `StartedJobNote` is the content alone, for a
 * region that holds more than one form's outcome; `StartedJobFooter` is that content in the form's polite
 * live region, with anything else the form follows there (`children`, after it).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';
import { FormError } from '@/components/ui/field-errors';
import { jobKeys } from './jobs-query';
import { StartedJob } from './started-job';

/** A job action's result: the job it started, or why it could not (FormError reads the failure's fields). */
export type JobStartState = { ok: true; jobId: number } | { ok: false } | null;

export interface StartedJobNoteProps {
  state: JobStartState;
  /** the fields the form shows its errors under (FormError lists the others) */
  shown?: string[];
  /** the job's kind as the line names it ("backup job #12") */
  kind: string;
  database: string;
  /** refresh the page's server data when the job ends (see StartedJob) */
  refreshOnFinish?: boolean;
}

export function StartedJobNote({ state, shown, kind, database, refreshOnFinish = true }: StartedJobNoteProps) {
  const qc = useQueryClient();
  useEffect(() => {
    if (state?.ok) void qc.invalidateQueries({ queryKey: jobKeys.all });
  }, [state, qc]);
  return (
    <>
      <FormError state={state} shown={shown} />
      {state?.ok ? <StartedJob jobId={state.jobId} kind={kind} database={database} refreshOnFinish={refreshOnFinish} /> : null}
    </>
  );
}

export function StartedJobFooter({ children, ...note }: StartedJobNoteProps & { children?: ReactNode }) {
  return (
    <div aria-live="polite" className="space-y-2">
      <StartedJobNote {...note} />
      {children}
    </div>
  );
}
