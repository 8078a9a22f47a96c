import type { AuditContext, Finding, Inventory } from '../model.ts';

/**
 * Hosts (50, fixed) and connections (250, adjustable) per account and Region. New requests are
 * refused at the quota, so this warns while there is still room to clean up or ask for more.
 */
export function quotaHeadroom(inventory: Inventory, context: AuditContext): Finding[] {
  const { hostQuota, connectionQuota, quotaWarnRatio } = context.thresholds;
  const checks = [
    { what: 'hosts', used: inventory.hosts.length, quota: hostQuota, fix: 'Delete unused, failed and unmanaged hosts, or ask AWS to raise the quota (Service Quotas) and then the hostQuota param.' },
    {
      what: 'connections',
      used: inventory.connections.length,
      quota: connectionQuota,
      fix: 'Delete unused, failed and unmanaged connections, or ask AWS Support to raise the connections quota.',
    },
  ];
  return checks
    .filter(({ used, quota }) => quota > 0 && used / quota >= quotaWarnRatio)
    .map(
      ({ what, used, quota, fix }): Finding => ({
        type: 'QUOTA_HEADROOM_LOW',
        severity: used >= quota ? 'critical' : used / quota >= 0.95 ? 'high' : 'medium',
        resource: `account:${what}`,
        resourceKind: 'account',
        message: `${used} of ${quota} ${what} are used (${Math.round((used / quota) * 100)}%); ${Math.max(0, quota - used)} left.`,
        fix,
      }),
    );
}
