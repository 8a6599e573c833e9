/**
 * The sections of the dashboard, in navigation order. Add a page here when it exists
 * (Databases, Jobs and Cluster come with the full dashboard).
 */
export interface NavItem {
  href: string;
  label: string;
  /** also active on sub-paths (e.g. /databases/neo4j) */
  prefix?: boolean;
}

export const NAV_ITEMS: readonly NavItem[] = [{ href: '/', label: 'Overview' }];

export function isActive(item: NavItem, pathname: string): boolean {
  if (item.href === '/') return pathname === '/';
  return pathname === item.href || (item.prefix === true && pathname.startsWith(`${item.href}/`));
}
