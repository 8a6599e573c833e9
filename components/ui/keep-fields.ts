/**
 * React 19 resets a form after its action (a function given as `action`) has run, back to the fields'
 * default values: a controlled <select> or radio group then shows its first option while its state still
 * holds the choice (the backup type jumped back to "Auto" after "Back up now"). A form that should keep what
 * the user chose submits through this handler instead: it prevents the native submit and runs the action in
 * a transition itself, which React does not follow with a reset. The form keeps `action={formAction}` too,
 * so a submit before hydration still reaches the server action.
 */
import { startTransition, type FormEvent } from 'react';

export function keepFieldsOnSubmit(formAction: (data: FormData) => void): (e: FormEvent<HTMLFormElement>) => void {
  return (e) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget, (e.nativeEvent as SubmitEvent).submitter);
    startTransition(() => formAction(data));
  };
}
