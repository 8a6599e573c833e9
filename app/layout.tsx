import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { PermissionsProvider } from '@/components/auth/permissions';
import { SiteHeader } from '@/components/shell/site-header';
import { permissionsOf } from '@/lib/auth/guard';
import { currentCaller } from '@/lib/server/auth';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Txline', template: '%s · Txline' },
  description: 'Backups, restores and transaction lag for Neo4j-style clustered graph databases',
  icons: { icon: { url: '/favicon.svg', type: 'image/svg+xml' } },
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const caller = await currentCaller();
  const can = caller && !caller.mustChangePassword ? permissionsOf(caller.role) : {};
  return (
    <html lang="en">
      <body className="min-h-screen bg-zinc-50 text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:shadow dark:focus:bg-zinc-800"
        >
          Skip to content
        </a>
        <Providers>
          <PermissionsProvider username={caller?.username ?? null} role={caller?.role ?? null} can={can}>
            <SiteHeader />
            <main id="main" className="mx-auto max-w-6xl px-4 py-6">
              {children}
            </main>
          </PermissionsProvider>
        </Providers>
      </body>
    </html>
  );
}
