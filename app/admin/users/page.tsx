import type { Metadata } from 'next';
import { connection } from 'next/server';
import { CreateUserForm, UserRowActions } from '@/components/auth/user-admin';
import { UtcTime } from '@/components/ui/utc-time';
import { listUsers } from '@/lib/auth/users';
import { authorize, requireCaller } from '@/lib/server/auth';
import { serverContext } from '@/lib/server/context';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  await connection();
  const caller = await requireCaller('/admin/users');
  const d = await authorize('users.read', '/admin/users');
  if (!d.ok) {
    return (
      <p role="alert" className="text-sm text-red-700 dark:text-red-400">
        {d.error}
      </p>
    );
  }
  const users = listUsers(serverContext().db);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Users</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          viewer: sees everything, changes nothing · operator: also backs up, verifies and cancels jobs · admin: also restores, aggregates, deletes backups, controls the cluster, and manages users and settings.
        </p>
      </div>
      <section aria-labelledby="create-heading" className="space-y-2 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
        <h2 id="create-heading" className="font-semibold">
          Create a user
        </h2>
        <CreateUserForm />
      </section>
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Users</caption>
        <thead className="border-b border-zinc-200 text-zinc-500 dark:border-zinc-800">
          <tr>
            <th className="py-2 pr-4 font-medium">User</th>
            <th className="py-2 pr-4 font-medium">Role</th>
            <th className="py-2 pr-4 font-medium">State</th>
            <th className="py-2 pr-4 font-medium">Created</th>
            <th className="py-2 font-medium">Actions</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} data-testid={`user-${u.username}`} className="border-b border-zinc-100 align-top dark:border-zinc-800/60">
              <td className="py-2 pr-4 font-medium">{u.username}</td>
              <td className="py-2 pr-4">{u.role}</td>
              <td className="py-2 pr-4">{u.disabled ? 'disabled' : u.mustChangePassword ? 'must change password' : 'active'}</td>
              <td className="py-2 pr-4">
                <UtcTime value={u.createdAt} />
              </td>
              <td className="py-2">
                <UserRowActions userId={u.id} username={u.username} role={u.role} disabled={u.disabled} self={u.id === caller.userId} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
