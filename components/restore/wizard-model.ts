/**
 * The restore wizard's model, without React: its steps, the choices it collects (named as the restore
 * actions expect them), which step owns which field, and what each step sends to previewRestoreAction to be
 * checked. A step is checked with the choices made so far and neutral values for later ones, so that a later
 * step's blank field never hides an earlier step's problem.
 */
import type { RestorePreview } from '@/lib/dashboard/commands';

export const STEPS = [
  { id: 'source', label: 'Database' },
  { id: 'point', label: 'Restore point' },
  { id: 'target', label: 'Target' },
  { id: 'review', label: 'Review' },
  { id: 'progress', label: 'Progress' },
  { id: 'result', label: 'Result' },
] as const;

export type StepId = (typeof STEPS)[number]['id'];
export type PointKind = 'latest' | 'artifact' | 'tx' | 'time';
export type TargetMode = 'replace' | 'new';

export interface RestoreValues {
  clusterId: string;
  folderId: string;
  database: string;
  point: PointKind;
  artifactId: string;
  tx: string;
  time: string;
  targetMode: TargetMode;
  newName: string;
  confirm: string;
}

export type FieldErrors = Record<string, string[]>;

/** The step on which each field is chosen (and where its errors are shown). */
export const FIELD_STEP: Record<string, StepId> = {
  clusterId: 'source',
  folderId: 'source',
  database: 'source',
  point: 'point',
  artifactId: 'point',
  tx: 'point',
  time: 'point',
  targetMode: 'target',
  newName: 'target',
  confirm: 'review',
};

export const stepIndex = (s: StepId): number => STEPS.findIndex((x) => x.id === s);

export function nextStep(s: StepId): StepId {
  return STEPS[Math.min(STEPS.length - 1, stepIndex(s) + 1)].id;
}

export function previousStep(s: StepId): StepId {
  return STEPS[Math.max(0, stepIndex(s) - 1)].id;
}

/** What a step sends to be checked: the choices up to it, neutral values after it. */
export function inputFor(step: StepId, v: RestoreValues): Record<string, string> {
  const source = { clusterId: v.clusterId, folderId: v.folderId, database: v.database };
  const point: Record<string, string> = { point: v.point };
  if (v.point === 'artifact') point.artifactId = v.artifactId;
  if (v.point === 'tx') point.tx = v.tx;
  if (v.point === 'time') point.time = v.time;
  if (step === 'source') return { ...source, point: 'latest', targetMode: 'replace' };
  if (step === 'point') return { ...source, ...point, targetMode: 'replace' };
  const target: Record<string, string> = v.targetMode === 'new' ? { targetMode: 'new', newName: v.newName } : { targetMode: 'replace' };
  if (step === 'target') return { ...source, ...point, ...target };
  return { ...source, ...point, ...target, confirm: v.confirm };
}

/** A stable key of what a step checks: a check's outcome is shown only while the choices are the same. */
export function checkKey(step: StepId, v: RestoreValues): string {
  const input = inputFor(step, v);
  return `${step}:${Object.keys(input)
    .sort()
    .map((k) => `${k}=${input[k]}`)
    .join('&')}`;
}

export type ActionResult = { ok: true; preview: RestorePreview } | { ok: false; code?: string; error: string; fieldErrors?: FieldErrors };

export interface StepCheck {
  step: StepId;
  key: string;
  ok: boolean;
  /** a problem that belongs to no field of this or an earlier step (shown in the step's alert) */
  error: string | null;
  /** problems of this step's (and earlier steps') fields */
  fieldErrors: FieldErrors;
  /** the stable code of a refusal that holds this step (lib/errors.ts), for its hint; null when it moves on */
  code: string | null;
  preview: RestorePreview | null;
}

/**
 * Reads a check's answer for one step. Field errors of later steps do not block this one (they will be asked
 * again there); a failure that names no field at all does.
 */
export function evaluate(step: StepId, key: string, r: ActionResult): StepCheck {
  if (r.ok) return { step, key, ok: true, error: null, fieldErrors: {}, code: null, preview: r.preview };
  const here = stepIndex(step);
  const fields = Object.entries(r.fieldErrors ?? {});
  const mine = fields.filter(([k]) => (FIELD_STEP[k] ? stepIndex(FIELD_STEP[k]) <= here : true));
  if (fields.length > 0 && mine.length === 0) return { step, key, ok: true, error: null, fieldErrors: {}, code: null, preview: null };
  const fieldErrors = Object.fromEntries(mine);
  // The summary repeats the problem only when no field of this step shows it.
  const shownOnStep = mine.some(([k]) => FIELD_STEP[k] === step);
  return { step, key, ok: false, error: shownOnStep ? null : r.error, fieldErrors, code: r.code ?? null, preview: null };
}

/** "transaction 1,234" style descriptions of a restore point, for the review and the result. */
export function describePoint(v: RestoreValues, preview: RestorePreview | null, fmt: (n: number) => string): string {
  if (v.point === 'latest') return preview?.targetTx != null ? `the latest backed-up transaction (the database ends at transaction ${fmt(preview.targetTx)})` : 'the latest backed-up transaction';
  if (v.point === 'artifact') return `the end of the chosen backup${preview?.targetTx != null ? ` (the database ends at transaction ${fmt(preview.targetTx)})` : ''}`;
  if (v.point === 'tx') return `until transaction ${v.tx}, not included${preview?.targetTx != null ? ` (the database ends at transaction ${fmt(preview.targetTx)})` : ''}`;
  return `what was committed before ${v.time} UTC`;
}
