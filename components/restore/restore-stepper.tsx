/**
 * Where the wizard is: its six steps in order, done ones ticked, the current one marked (aria-current="step").
 * One line at any width: on a phone only the current step's name is shown (the others keep theirs for screen
 * readers) and the connectors shrink, so nothing wraps into rows with dangling connectors.
 */
import { STEPS, stepIndex, type StepId } from './wizard-model';

export function RestoreStepper({ current, failed = false }: { current: StepId; failed?: boolean }) {
  const at = stepIndex(current);
  return (
    <ol aria-label="Restore steps" data-testid="restore-stepper" className="flex flex-nowrap items-center gap-x-1 text-sm sm:flex-wrap sm:gap-x-2 sm:gap-y-2">
      {STEPS.map((s, i) => {
        const state = i < at ? 'done' : i === at ? 'current' : 'todo';
        const bad = failed && i === at;
        return (
          <li key={s.id} aria-current={state === 'current' ? 'step' : undefined} data-state={state} className="flex min-w-0 items-center gap-1 sm:gap-2">
            <span
              aria-hidden="true"
              className={`flex size-6 shrink-0 items-center justify-center rounded-full text-xs font-semibold ${
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
            <span className={state === 'current' ? 'truncate font-semibold' : 'text-zinc-600 max-sm:sr-only dark:text-zinc-400'}>
              <span className="sr-only">{`Step ${i + 1}: `}</span>
              {s.label}
              <span className="sr-only">{state === 'done' ? ' (done)' : state === 'current' ? ' (current)' : ''}</span>
            </span>
            {i < STEPS.length - 1 ? (
              <span aria-hidden="true" className="mx-0.5 h-px w-3 shrink-0 bg-zinc-300 sm:mx-1 sm:w-6 dark:bg-zinc-700" />
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
