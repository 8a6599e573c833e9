/** Where the wizard is: its six steps in order, done ones ticked, the current one marked (aria-current="step"). */
import { STEPS, stepIndex, type StepId } from './wizard-model';

export function RestoreStepper({ current, failed = false }: { current: StepId; failed?: boolean }) {
  const at = stepIndex(current);
  return (
    <ol aria-label="Restore steps" data-testid="restore-stepper" className="flex flex-wrap items-center gap-x-2 gap-y-2 text-sm">
      {STEPS.map((s, i) => {
        const state = i < at ? 'done' : i === at ? 'current' : 'todo';
        const bad = failed && i === at;
        return (
          <li key={s.id} aria-current={state === 'current' ? 'step' : undefined} data-state={state} className="flex items-center gap-2">
            <span
              aria-hidden="true"
              className={`flex size-6 items-center justify-center rounded-full text-xs font-semibold ${
                bad
                  ? 'bg-red-600 text-white'
                  : state === 'done'
                    ? 'bg-teal-700 text-white'
                    : state === 'current'
                      ? 'bg-teal-100 text-teal-900 ring-2 ring-teal-600 dark:bg-teal-950 dark:text-teal-100'
                      : 'bg-zinc-200 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400'
              }`}
            >
              {state === 'done' ? '✓' : bad ? '!' : i + 1}
            </span>
            <span className={state === 'current' ? 'font-semibold' : 'text-zinc-600 dark:text-zinc-400'}>
              <span className="sr-only">{`Step ${i + 1}: `}</span>
              {s.label}
              <span className="sr-only">{state === 'done' ? ' (done)' : state === 'current' ? ' (current)' : ''}</span>
            </span>
            {i < STEPS.length - 1 ? (
              <span aria-hidden="true" className="mx-1 h-px w-6 bg-zinc-300 dark:bg-zinc-700" />
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
