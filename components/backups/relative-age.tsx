'use client';

/**
 * "3 min ago", kept current while the page is open. The first render uses the server's `now`, so hydration
 * matches; afterwards it follows the browser's clock. On hover: the instant in UTC and in the viewer's local
 * time (added once hydrated).
 */
import { useEffect, useState } from 'react';
import { useHydrated } from '@/components/ui/utc-time';
import { formatAge, formatLocal, formatUtc } from '@/lib/format';

export function RelativeAge({ time, now, className }: { time: number; now: number; className?: string }) {
  const [current, setCurrent] = useState(now);
  const hydrated = useHydrated();
  useEffect(() => {
    const tick = () => setCurrent(Date.now());
    tick();
    const t = setInterval(tick, 15_000);
    return () => clearInterval(t);
  }, []);
  return (
    <time dateTime={new Date(time).toISOString()} title={hydrated ? `${formatUtc(time)}\nlocal time: ${formatLocal(time)}` : formatUtc(time)} className={className}>
      {formatAge(time, current)}
    </time>
  );
}
