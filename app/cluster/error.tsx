'use client';

/** The cluster page failed to render: say so, keep the shell, offer a retry and the way to check settings. */
import Link from 'next/link';
import { PageErrorPanel, type PageErrorProps } from '@/components/ui/page-error';

export default function ClusterError(props: PageErrorProps) {
  return (
    <PageErrorPanel title="The cluster page failed to load" {...props}>
      If a cluster&apos;s addresses are wrong, fix them in{' '}
      <Link href="/settings" className="font-medium underline">
        Settings
      </Link>
      .
    </PageErrorPanel>
  );
}
