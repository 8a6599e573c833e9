'use client';

/** The restore page failed to render: say so, keep the shell, offer to try again. A started restore keeps running. */
import Link from 'next/link';
import { PageErrorPanel, type PageErrorProps } from '@/components/ui/page-error';

export default function RestoreError(props: PageErrorProps) {
  return (
    <PageErrorPanel title="The restore wizard failed to load" {...props}>
      A restore that was already started keeps running: follow it on the{' '}
      <Link href="/jobs" className="underline">
        Jobs
      </Link>{' '}
      page.
    </PageErrorPanel>
  );
}
