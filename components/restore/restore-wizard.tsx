'use client';

/**
 * The restore wizard: (1) database and backup folder, (2) restore point, (3) target, (4) review and
 * confirmation, (5) live progress, (6) the result.
 *
 * Navigation is the state of a useActionState: Next sends the step's choices to previewRestoreAction and
 * moves on only when they hold; a refusal stays on the step with its messages beside the fields (aria-live,
 * aria-describedby). While a point or a target is being chosen the same check runs in the background (a
 * react-query keyed by the choices), so the plan and any problem show before Next. The review starts the
 * restore (restoreAction), and the job is polled until it ends.
 */
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { startTransition, useActionState, useEffect, useRef, useState } from 'react';
import { findDatabasesAction, previewRestoreAction, restoreAction } from '@/app/restore/actions';
import { jobKeys, jobQuery } from '@/components/jobs/jobs-query';
import { getJson } from '@/components/ui/get-json';
import type { RestorePreview } from '@/lib/dashboard/commands';
import type { Timeline } from '@/lib/dashboard/timeline';
import type { WizardDatabase } from '@/lib/dashboard/restore-databases';
import { StepAlert } from './form-controls';
import { PointStep } from './point-step';
import { ProgressStep, ResultStep } from './progress-step';
import { RestoreStepper } from './restore-stepper';
import { ReviewStep } from './review-step';
import { SourceStep } from './source-step';
import { TargetStep } from './target-step';
import { checkKey, evaluate, inputFor, nextStep, previousStep, STEPS, stepIndex, type ActionResult, type RestoreValues, type StepCheck, type StepId } from './wizard-model';

export interface WizardOptions {
  /** `unreadable`: why Txline cannot read this cluster's backups (its kind's reason), null when it can */
  clusters: Array<{ id: number; name: string; unreadable?: string | null; location?: string | null }>;
  folders: Array<{ id: number; name: string; path: string; isDefault: boolean }>;
  /**
   * every database a cluster reports or a folder holds backups of, with its backup count per folder id; past
   * WIZARD_LIST_LIMIT (`listed` false) only the one the page was opened for, the others found as they are typed
   */
  databases: WizardDatabase[];
  /** how many databases there are in all */
  databaseTotal: number;
  listed: boolean;
}

interface WizardState {
  step: StepId;
  /** the last refused Next (or Restore), for the step and choices it was made with */
  check: StepCheck | null;
  /** the plan of the last step that passed */
  preview: RestorePreview | null;
  jobId: number | null;
}

type Command = { type: 'next'; values: RestoreValues } | { type: 'restore'; values: RestoreValues } | { type: 'back' } | { type: 'reset' };

const LIVE_STEPS: readonly StepId[] = ['point', 'target', 'review'];

export function RestoreWizard({ options, initialValues, initialStep }: { options: WizardOptions; initialValues: RestoreValues; initialStep: StepId }) {
  const queryClient = useQueryClient();
  const [values, setValues] = useState(initialValues);
  // the databases known here: those the page brought (fresh after each restore), and those found as a name
  // was typed (a fleet's); a search under way holds Next back (its answer gives the database's cluster)
  const [found, setFound] = useState<WizardDatabase[]>([]);
  const known = [...options.databases, ...found.filter((f) => !options.databases.some((d) => d.name === f.name))];
  const onFound = (more: WizardDatabase[]) => setFound((k) => [...k.filter((d) => !more.some((m) => m.name === d.name)), ...more]);
  const [searching, setSearching] = useState(false);
  const update = (patch: Partial<RestoreValues>) => setValues((v) => ({ ...v, ...patch }));

  const [state, dispatch, pending] = useActionState(
    async (prev: WizardState, cmd: Command): Promise<WizardState> => {
      switch (cmd.type) {
        case 'back':
          return { ...prev, step: previousStep(prev.step), check: null };
        case 'reset':
          return { step: 'source', check: null, preview: null, jobId: null };
        case 'next': {
          const key = checkKey(prev.step, cmd.values);
          const check = evaluate(prev.step, key, (await previewRestoreAction(null, inputFor(prev.step, cmd.values))) as ActionResult);
          if (!check.ok) return { ...prev, check };
          return { ...prev, step: nextStep(prev.step), check: null, preview: check.preview ?? prev.preview };
        }
        case 'restore': {
          const key = checkKey('review', cmd.values);
          const r = await restoreAction(null, inputFor('review', cmd.values));
          await queryClient.invalidateQueries({ queryKey: jobKeys.all });
          if (!r.ok) return { ...prev, check: evaluate('review', key, r) };
          return { step: 'progress', check: null, preview: r.preview, jobId: r.jobId };
        }
      }
    },
    { step: initialStep, check: null, preview: null, jobId: null },
  );

  // The job, once started: polled until it ends; then the wizard shows the result.
  const jobQ = useQuery({ ...jobQuery(state.jobId ?? 0), enabled: state.jobId !== null });
  const job = state.jobId !== null ? jobQ.data : undefined;
  const finished = state.step === 'progress' && job !== undefined && job.status !== 'running';
  const step: StepId = finished ? 'result' : state.step;

  // Background check of the current step's choices (debounced), for the plan and early messages.
  const debounced = useDebounced(values, 350);
  const liveStep: StepId = step === 'review' ? 'target' : step;
  const liveKey = checkKey(liveStep, debounced);
  const live = useQuery({
    queryKey: ['restore', 'preview', liveKey],
    queryFn: async () => evaluate(liveStep, liveKey, (await previewRestoreAction(null, inputFor(liveStep, debounced))) as ActionResult),
    enabled: LIVE_STEPS.includes(step) && Boolean(debounced.database && debounced.folderId && debounced.clusterId),
    staleTime: 5_000,
    placeholderData: keepPreviousData,
    retry: false,
  });
  const currentLiveKey = checkKey(liveStep, values);
  const liveNow = live.data && live.data.key === currentLiveKey ? live.data : null;
  const checking = live.isFetching || liveKey !== currentLiveKey;

  // The newest window of backups; opened from one backup (?artifact=), the window that holds it, so the
  // backup list offers it even among thousands.
  const linkedArtifact =
    initialValues.artifactId && values.database === initialValues.database && values.folderId === initialValues.folderId ? initialValues.artifactId : '';
  const timelineQ = useQuery({
    queryKey: ['timeline', values.database, values.folderId, linkedArtifact],
    queryFn: async ({ signal }) => {
      const q = new URLSearchParams({ folder: values.folderId, ...(linkedArtifact ? { artifact: linkedArtifact } : {}) });
      const body = await getJson<{ timeline?: Timeline }>(`/api/databases/${encodeURIComponent(values.database)}/timeline?${q}`, signal);
      if (!body.timeline) throw new Error('the server answered without a timeline');
      return body.timeline;
    },
    enabled: step === 'point' && Boolean(values.database && values.folderId),
    staleTime: 10_000,
    retry: false,
  });

  // What the step shows: a refused Next for these very choices, else the background check.
  const submitted = state.check && state.check.step === step && state.check.key === checkKey(step, values) ? state.check : null;
  const shown = submitted ?? (step === 'review' || !liveNow ? null : quietBlanks(liveNow, values));
  const errors = shown?.fieldErrors ?? {};
  // the refusal's hint, while the step shows what was refused (a background check may hide every field's message)
  const hintCode = shown && (shown.error !== null || Object.keys(errors).length > 0) ? shown.code : null;
  const preview = step === 'review' ? (liveNow?.preview ?? state.preview) : liveNow ? liveNow.preview : checking ? (live.data?.preview ?? null) : null;

  // Move focus to the new step's heading, so keyboard and screen-reader users start there.
  const headingRef = useRef<HTMLHeadingElement>(null);
  const firstStep = useRef(step);
  useEffect(() => {
    if (firstStep.current === step) return;
    firstStep.current = step;
    headingRef.current?.focus();
  }, [step]);

  const next = () => startTransition(() => dispatch({ type: state.step === 'review' ? 'restore' : 'next', values }));
  const back = () => startTransition(() => dispatch({ type: 'back' }));
  const restart = () => {
    setValues({ ...values, point: 'latest', artifactId: '', tx: '', time: '', newName: '', confirm: '' });
    startTransition(() => dispatch({ type: 'reset' }));
  };

  const at = stepIndex(step);
  const onCluster = known.find((d) => d.name === values.database)?.clusterId != null;
  const replacing = step === 'review' && (preview?.replacing ?? false);
  const busyLabel = state.step === 'review' ? 'Starting…' : 'Checking…';
  const nextLabel = step === 'review' ? (replacing ? `Replace ${preview?.target ?? values.database}` : 'Start restore') : 'Next';

  return (
    <div className="space-y-5" data-testid="restore-wizard" data-step={step}>
      <RestoreStepper current={step} failed={step === 'result' && job?.status !== 'succeeded'} />
      <section aria-labelledby="restore-step-heading" className="rounded-xl border border-zinc-200 bg-white p-5 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <h2 id="restore-step-heading" ref={headingRef} tabIndex={-1} className="text-lg font-semibold outline-none">
          <span className="text-sm font-normal text-zinc-500 dark:text-zinc-400">
            Step {at + 1} of {STEPS.length}:{' '}
          </span>
          {STEPS[at].label}
        </h2>
        {step === 'progress' && state.jobId !== null ? (
          <div className="mt-4">
            <ProgressStep jobId={state.jobId} job={job} error={jobQ.error} />
          </div>
        ) : step === 'result' && job ? (
          <div className="mt-4">
            <ResultStep job={job} onRestart={restart} onBack={back} />
          </div>
        ) : (
          <form
            noValidate
            aria-busy={pending}
            onSubmit={(e) => {
              e.preventDefault();
              if (!pending && !(step === 'source' && searching)) next();
            }}
            className="mt-4 space-y-5"
          >
            {step === 'source' ? <SourceStep options={options} known={known} onFound={onFound} onSearching={setSearching} find={findDatabasesAction} values={values} update={update} errors={errors} /> : null}
            {step === 'point' ? (
              <PointStep
                values={values}
                update={update}
                errors={errors}
                timeline={timelineQ.data}
                timelineError={timelineQ.error}
                preview={preview}
                checking={checking}
                pointAccepted={liveNow !== null && liveNow.ok && !checking}
                cluster={options.clusters.find((c) => String(c.id) === values.clusterId)}
              />
            ) : null}
            {step === 'target' ? <TargetStep values={values} update={update} errors={errors} onCluster={onCluster} /> : null}
            {step === 'review' ? <ReviewStep options={options} values={values} update={update} errors={errors} preview={preview} checking={checking} /> : null}
            <StepAlert message={shown?.error ?? null} code={hintCode} />
            <div className="flex items-center justify-between gap-3 border-t border-zinc-200 pt-4 dark:border-zinc-800">
              <button
                type="button"
                onClick={back}
                disabled={at === 0 || pending}
                className="rounded-md border border-zinc-300 px-4 py-2 text-sm font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-teal-500 disabled:opacity-40 dark:border-zinc-700 dark:hover:bg-zinc-800"
              >
                Back
              </button>
              <button
                type="submit"
                disabled={pending || !values.database || (step === 'source' && searching)}
                className={`rounded-md px-4 py-2 text-sm font-medium text-white focus-visible:outline-2 focus-visible:outline-offset-2 disabled:opacity-50 ${
                  replacing ? 'bg-red-700 hover:bg-red-800 focus-visible:outline-red-600' : 'bg-teal-700 hover:bg-teal-800 focus-visible:outline-teal-600'
                }`}
              >
                {pending ? busyLabel : nextLabel}
              </button>
            </div>
          </form>
        )}
      </section>
    </div>
  );
}

/** A background check does not scold fields the DBA has not filled in yet; Next still does. */
function quietBlanks(check: StepCheck, values: RestoreValues): StepCheck {
  const filled = (k: string) => !(k in values) || (values as unknown as Record<string, string>)[k] !== '';
  return { ...check, fieldErrors: Object.fromEntries(Object.entries(check.fieldErrors).filter(([k]) => filled(k))) };
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}
