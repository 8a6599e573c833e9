import { FormTableSkeleton } from '@/components/auth/page-skeleton';

export default function AuditLoading() {
  return (
    <div className="space-y-5">
      <h1 className="text-2xl font-semibold tracking-tight">Audit log</h1>
      <FormTableSkeleton label="Loading the audit log" fields={5} rows={10} />
    </div>
  );
}
