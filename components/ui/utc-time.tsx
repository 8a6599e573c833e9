'use client';

import { useSyncExternalStore } from 'react';
import { formatLocal, formatUtc } from '@/lib/format';

const subscribe = () => () => undefined;

/** True once the component runs in the browser after hydration (false on the server and while hydrating). */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}

/**
 * The viewer's local time of an instant, for a title (hover): undefined on the server and while hydrating (the
 * server does not know the viewer's zone), so the first render matches.
 */
export function useLocalTime(): (t: number | string | null) => string | undefined {
  const hydrated = useHydrated();
  return (t) => (hydrated && t !== null ? `local time: ${formatLocal(t)}` : undefined);
}

/** A hover title: the text, then the viewer's local time of each instant (once hydrated). */
export function useTimesTitle(): (text: string, ...times: Array<number | null>) => string {
  const hydrated = useHydrated();
  return (text, ...times) => {
    const local = hydrated ? times.filter((t): t is number => t !== null).map((t) => formatLocal(t)) : [];
    return local.length ? `${text}\nlocal time: ${local.join(' – ')}` : text;
  };
}

/** A time shown in UTC, with the viewer's local time on hover (added in the browser, so hydration matches). */
export function UtcTime({ value, className }: { value: number | string | null; className?: string }) {
  const hydrated = useHydrated();
  const date = value === null ? null : new Date(value);
  if (date === null || Number.isNaN(date.getTime())) return <span className={className}>—</span>;
  return (
    <time dateTime={date.toISOString()} title={hydrated ? formatLocal(date.getTime()) : undefined} className={className}>
      {formatUtc(date.getTime())}
    </time>
  );
}
