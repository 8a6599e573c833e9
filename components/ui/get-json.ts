/**
 * GET a JSON route handler from the browser for a react-query `queryFn`: never cached, aborted with the query,
 * and a refusal thrown as an Error carrying the handler's message (`{ code, message }`, or the
 * `{ error: { code, message } }` form) so the page can show it beside the last data.
 */
export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal, cache: 'no-store', headers: { accept: 'application/json' } });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { message?: string; error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? body?.message ?? `the server answered ${res.status} ${res.statusText}`);
  }
  return (await res.json()) as T;
}
