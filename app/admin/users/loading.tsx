import { FormTableSkeleton } from '@/components/auth/page-skeleton';

export default function UsersLoading() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Users</h1>
      <FormTableSkeleton label="Loading the users" fields={3} rows={5} />
    </div>
  );
}
