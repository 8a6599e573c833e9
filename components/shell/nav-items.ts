/** The sections of the dashboard, in navigation order. */
export interface NavItem {
  href: string;
  label: string;
  /** also active on sub-paths (e.g. /databases/neo4j) */
  prefix?: boolean;
  /** shown to admins only (what only admins may do: restores need restore.start, an admin action) */
  admin?: boolean;
}

export const NAV_ITEMS: readonly NavItem[] = [
  { href: '/', label: 'Overview' },
  { href: '/databases', label: 'Databases', prefix: true },
  { href: '/restore', label: 'Restore', prefix: true, admin: true },
  { href: '/jobs', label: 'Jobs', prefix: true },
  { href: '/cluster', label: 'Cluster', prefix: true },
  { href: '/settings', label: 'Settings', prefix: true },
  { href: '/admin/users', label: 'Users', prefix: true, admin: true },
  { href: '/admin/audit', label: 'Audit', prefix: true, admin: true },
  { href: '/alerts', label: 'Alerts', prefix: true },
];

export function isActive(item: NavItem, pathname: string): boolean {
  if (item.href === '/') return pathname === '/';
  return pathname === item.href || (item.prefix === true && pathname.startsWith(`${item.href}/`));
}
