import type { AuditContext, ConnectionFacts, HostFacts, Inventory, PipelineFacts } from './model.ts';
import type { ConnectionRequestRecord } from '../request/model.ts';

export const ACCOUNT = '111111111111';
export const hostArn = (id: string) => `arn:aws:codestar-connections:us-east-1:${ACCOUNT}:host/${id}`;
export const connectionArn = (id: string, prefix = 'codestar-connections') => `arn:aws:${prefix}:us-east-1:${ACCOUNT}:connection/${id}`;

export const AS_OF = new Date('2026-03-10T12:00:00Z');
export const hoursBefore = (hours: number) => new Date(AS_OF.getTime() - hours * 3_600_000).toISOString();

export const context: AuditContext = {
  asOf: AS_OF,
  thresholds: { hostPendingHours: 24, connectionPendingHours: 24, quotaWarnRatio: 0.8, hostQuota: 50, connectionQuota: 250 },
};

export function host(id: string, overrides: Partial<HostFacts> = {}): HostFacts {
  return { arn: hostArn(id), name: id, status: 'AVAILABLE', providerEndpoint: `https://${id}.example.com`, tags: { 'managed-by': 'connection-broker' }, firstSeenAt: hoursBefore(1), ...overrides };
}

export function connection(id: string, overrides: Partial<ConnectionFacts> = {}): ConnectionFacts {
  return { arn: connectionArn(id), name: id, status: 'AVAILABLE', hostArn: hostArn('h1'), tags: { 'managed-by': 'connection-broker' }, firstSeenAt: hoursBefore(1), ...overrides };
}

export function pipeline(name: string, connectionArnUsed?: string, overrides: Partial<PipelineFacts> = {}): PipelineFacts {
  return {
    name,
    version: 1,
    updatedMs: 0,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/${name}-role`,
    sourceActions: [{ stageName: 'Source', actionName: 'Source', provider: connectionArnUsed ? 'CodeStarSourceConnection' : 'GitHub', ...(connectionArnUsed ? { connectionArn: connectionArnUsed } : {}) }],
    ...overrides,
  };
}

export function record(id: string, overrides: Partial<ConnectionRequestRecord> = {}): ConnectionRequestRecord {
  return {
    requestId: id,
    status: 'COMPLETED',
    requester: { id: `${id}-owner@example.com` },
    providerEndpoint: 'https://ghe.example.com',
    connectionName: id,
    hostName: 'h1',
    tags: {},
    region: 'us-east-1',
    createdAt: hoursBefore(48),
    updatedAt: hoursBefore(47),
    timeline: [],
    revision: 1,
    ...overrides,
  };
}

export function inventory(overrides: Partial<Inventory> = {}): Inventory {
  return { hosts: [], connections: [], pipelines: [], roles: {}, requests: [], executions: {}, repositoryLinks: [], syncConfigurations: [], unreadable: [], ...overrides };
}

export const useConnectionDocument = (actions: string[], resource = '*') => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }] });
