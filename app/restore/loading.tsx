import { RestoreWizardSkeleton } from '@/components/restore/restore-wizard-skeleton';

export default function RestoreLoading() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Restore</h1>
      <RestoreWizardSkeleton />
    </div>
  );
}
