'use client';

import { useSyncExternalStore } from 'react';
import { formatLocal, formatUtc } from '@/lib/format';

const subscribe = () => () => undefined;

/** True once the component runs in the browser after hydration (false on the server and while hydrating). */
function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
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
