/** What the marks of the chain timeline mean (the same colours and patterns, drawn small). */
import type { ReactNode } from 'react';
import { ChainPatterns } from './chain-marks';

function Swatch({ children, label }: { children: ReactNode; label: string }) {
  return (
    <li className="flex items-center gap-1.5">
      <svg viewBox="0 0 28 14" className="h-3.5 w-7" aria-hidden="true">
        {children}
      </svg>
      <span>{label}</span>
    </li>
  );
}

export function ChainLegend({ uid }: { uid: string }) {
  return (
    <div className="text-xs text-zinc-600 dark:text-zinc-400">
      <svg width="0" height="0" className="absolute" aria-hidden="true">
        <defs>
          <ChainPatterns uid={uid} />
        </defs>
      </svg>
      <ul aria-label="Legend" className="flex flex-wrap gap-x-4 gap-y-1">
        <Swatch label="full, F (the whole store, 1 to its tip)">
          <rect x="1" y="2" width="26" height="10" rx="2" className="fill-teal-600 dark:fill-teal-500" />
        </Swatch>
        <Swatch label="differential, D (its own transactions)">
          <rect x="1" y="2" width="26" height="10" rx="2" fill={`url(#${uid}-diff)`} />
        </Swatch>
        <Swatch label="empty differential (nothing new)">
          <path d="M14,0 l5,7 l-5,7 l-5,-7 z" className="fill-sky-700 dark:fill-sky-300" />
        </Swatch>
        <Swatch label="parent link (a branch)">
          <path d="M6,1 V11 H22" fill="none" strokeWidth="1.5" className="stroke-zinc-400 dark:stroke-zinc-500" />
        </Swatch>
        <Swatch label="now, and not backed up yet">
          <rect x="1" y="1" width="18" height="12" className="fill-amber-400/25 dark:fill-amber-500/20" />
          <line x1="19" x2="19" y1="0" y2="14" strokeWidth="1.5" strokeDasharray="3 2" className="stroke-amber-600 dark:stroke-amber-400" />
        </Swatch>
        <Swatch label="gap (no backup holds these)">
          <rect x="1" y="1" width="26" height="12" fill={`url(#${uid}-gap)`} />
        </Swatch>
        <Swatch label="verified">
          <rect x="2" y="2" width="24" height="10" rx="2" strokeWidth="1.5" className="fill-teal-600 stroke-emerald-700 dark:fill-teal-500 dark:stroke-emerald-400" />
        </Swatch>
        <Swatch label="corrupt or broken chain">
          <rect x="2" y="2" width="24" height="10" rx="2" strokeWidth="2" strokeDasharray="3 2" className="fill-teal-600 stroke-red-600 dark:fill-teal-500 dark:stroke-red-400" />
        </Swatch>
      </ul>
    </div>
  );
}
