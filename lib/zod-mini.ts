/**
 * zod/mini with zod's English messages, for the modules every CLI, backup, restore and member process loads at
 * start (lib/env.ts, the artifact metadata, the store lease and reservation answers). Classic zod gives every
 * schema a method per check as it is built: loading it and building those schemas took about 0.1 s of each
 * process start, a tenth of a 1 GiB full backup. The web app, the job protocol and the members' request bodies
 * keep classic zod (both share zod's core, and this configuration).
 *
 * A module that validates with zod/mini imports this one too (`import '../zod-mini'`, or a helper of it), so
 * that its messages are zod's, not a bare "Invalid input". (Each imports `* as z from 'zod/mini'` itself: a
 * namespace passed on from here would bring the whole of zod/mini into the CLI's bundle.)
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

/** A transform that may refuse its input: `refuse(message)` records a custom issue and returns zod's NEVER. */
export function refusing<I, O>(fn: (input: I, refuse: (message: string) => never) => O) {
  return z.transform((input: I, ctx) =>
    fn(input, (message) => {
      ctx.issues.push({ code: 'custom', message, input });
      return z.NEVER;
    }),
  );
}
