/**
 * Requests that proxy.ts refuses before Next.js sees them, because Next.js would refuse them itself with a
 * bare 500 (or would throw while routing them): a state-changing request whose `Origin` is not this site (a
 * cross-site form post or fetch aimed at a server action: Next.js aborts it with "Invalid Server Actions
 * request" and a 500), a server action call whose body cannot be a React reply (Next.js fails decoding it with
 * a 500), and a path whose percent-encoding does not decode (`/api/databases/%E0%A4%A/timeline`). Each check
 * returns the refusal (status, code and a message that says what was wrong) or null; proxy.ts answers it as
 * `{ code, message }` JSON and logs one line with the method, the path and the message.
 */

export interface Refusal {
  status: 400 | 403;
  code: 'BAD_REQUEST' | 'FORBIDDEN';
  message: string;
}

interface HeaderSource {
  get(name: string): string | null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SHOWN = 100;

function shown(value: string): string {
  return JSON.stringify(value.length > SHOWN ? `${value.slice(0, SHOWN)}…` : value);
}

/**
 * A state-changing request (not GET, HEAD or OPTIONS) whose Origin header is present and names another
 * site than the Host (or X-Forwarded-Host) it was sent to: the rule Next.js applies to server actions, applied
 * to every such request. Without an Origin header the request did not come from a browser page of another
 * site (browsers send Origin on every cross-origin POST), so it passes, as it does in Next.js.
 */
export function crossOriginRefusal(method: string, headers: HeaderSource): Refusal | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const origin = headers.get('origin');
  if (origin === null) return null;
  const refuse = (why: string): Refusal => ({ status: 403, code: 'FORBIDDEN', message: `cross-origin ${method.toUpperCase()} refused: ${why}` });
  let originHost: string;
  try {
    originHost = origin === 'null' ? '' : new URL(origin).host;
  } catch {
    return refuse(`the Origin header ${shown(origin)} is not a URL`);
  }
  if (originHost === '') return refuse('the Origin header is "null" (a sandboxed or opaque page)');
  const forwarded = headers.get('x-forwarded-host')?.split(',')[0]?.trim() || null;
  const host = headers.get('host');
  if (originHost === host || originHost === forwarded) return null;
  return refuse(`the Origin ${shown(origin)} is not this site (${shown(forwarded ?? host ?? 'no Host header')})`);
}

/**
 * A server action call (a POST with a `Next-Action` header) whose body cannot be a React reply: the browser
 * sends the encoded arguments either as JSON text or as multipart form data whose root part, named "0", is
 * JSON text. Reads a clone of the body (Next.js hands the original on to the action). A body of that shape can
 * still fail inside React's decoder (a reference to a part that is missing): Next.js answers that with a 500,
 * and instrumentation.ts logs it with the path.
 */
export async function actionBodyRefusal(request: Request): Promise<Refusal | null> {
  if (request.method.toUpperCase() !== 'POST' || !request.headers.has('next-action')) return null;
  const refuse = (why: string): Refusal => ({ status: 400, code: 'BAD_REQUEST', message: `server action call refused: ${why}` });
  const type = (request.headers.get('content-type') ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await request.clone().formData();
    } catch {
      return refuse('the body is not valid multipart form data');
    }
    const root = form.get('0');
    if (typeof root !== 'string') return refuse('the form data has no root part "0" in text, so it is not a React reply');
    return isJson(root) ? null : refuse(`the form data's root part ${shown(root)} is not JSON, so it is not a React reply`);
  }
  const text = await request.clone().text();
  return isJson(text) ? null : refuse(`the body ${shown(text)} is neither JSON nor form data, so it is not a React reply`);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A path whose percent-encoding does not decode (Next.js cannot match it to a route's parameters). */
export function pathRefusal(pathname: string): Refusal | null {
  try {
    decodeURIComponent(pathname);
    return null;
  } catch {
    return { status: 400, code: 'BAD_REQUEST', message: `the path ${shown(pathname)} has malformed percent-encoding` };
  }
}
