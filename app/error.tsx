'use client';

/** Any page's unexpected error: what happened, and a way to try again without losing the shell. */
import { PageErrorPanel, type PageErrorProps } from '@/components/ui/page-error';

export default function PageError(props: PageErrorProps) {
  return <PageErrorPanel title="This page failed to render" {...props} />;
}
