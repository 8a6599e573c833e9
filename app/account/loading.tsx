import { FormTableSkeleton } from '@/components/auth/page-skeleton';

export default function AccountLoading() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Your account</h1>
      <FormTableSkeleton label="Loading your account" fields={3} rows={0} />
    </div>
  );
}
