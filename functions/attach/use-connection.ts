import type { PermissionFinding } from '../request/model.ts';
import { evaluatePolicies, type PolicyContext, type PolicyVerdict } from './policy-evaluator.ts';

/**
 * The permission a role needs to fetch source through a connection, in both spellings: AWS renamed
 * CodeStar Connections to CodeConnections, connections made since mid-2024 have `codeconnections`
 * ARNs, and a policy written for one prefix silently misses the other (field notes §3 items 13, 17).
 * So the grant names both actions and both ARN spellings of this one connection, and nothing more.
 */

export const CONNECTION_PREFIXES = ['codestar-connections', 'codeconnections'] as const;
export type ConnectionPrefix = (typeof CONNECTION_PREFIXES)[number];

const CONNECTION_ARN = /^arn:([^:]+):(codestar-connections|codeconnections):([^:]+):(\d{12}):connection\/([A-Za-z0-9-]+)$/;
const ROLE_ARN = /^arn:([^:]+):iam::(\d{12}):role\/(?:(.*)\/)?([\w+=,.@-]+)$/;

export interface ConnectionArnParts {
  partition: string;
  prefix: ConnectionPrefix;
  region: string;
  accountId: string;
  connectionId: string;
}

export function parseConnectionArn(arn: string): ConnectionArnParts | undefined {
  const match = CONNECTION_ARN.exec(arn);
  if (!match) return undefined;
  return { partition: match[1]!, prefix: match[2] as ConnectionPrefix, region: match[3]!, accountId: match[4]!, connectionId: match[5]! };
}

export function parseRoleArn(arn: string): { accountId: string; roleName: string; path: string } | undefined {
  const match = ROLE_ARN.exec(arn);
  if (!match) return undefined;
  return { accountId: match[2]!, roleName: match[4]!, path: match[3] === undefined ? '/' : `/${match[3]}/` };
}

/** The connection's ARN under each prefix, `codestar-connections` first. */
export function connectionArnSpellings(connectionArn: string): Record<ConnectionPrefix, string> {
  const parts = parseConnectionArn(connectionArn);
  if (!parts) throw new Error(`${connectionArn} is not a connection ARN`);
  const spell = (prefix: ConnectionPrefix) => `arn:${parts.partition}:${prefix}:${parts.region}:${parts.accountId}:connection/${parts.connectionId}`;
  return { 'codestar-connections': spell('codestar-connections'), codeconnections: spell('codeconnections') };
}

/** Named for the connection (its id), so the auditor and people in the console can tell whose it is. */
export function useConnectionPolicyName(connectionArn: string): string {
  const parts = parseConnectionArn(connectionArn);
  if (!parts) throw new Error(`${connectionArn} is not a connection ARN`);
  return `UseConnection-${parts.connectionId}`.slice(0, 128);
}

export function useConnectionPolicy(connectionArn: string): Record<string, unknown> {
  const spellings = connectionArnSpellings(connectionArn);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'UseConnectionBothPrefixes',
        Effect: 'Allow',
        Action: CONNECTION_PREFIXES.map((prefix) => `${prefix}:UseConnection`),
        Resource: CONNECTION_PREFIXES.map((prefix) => spellings[prefix]),
      },
    ],
  };
}

export interface MissingPermission {
  action: string;
  resource: string;
  verdict: Exclude<PolicyVerdict, 'allowed'>;
}

/**
 * The UseConnection permissions (each prefix on its own ARN spelling) these policies do not grant.
 * `context`: what IAM would know of the request (the role's and the connection's tags), so that
 * conditions on them are decided instead of reported as `conditional`.
 */
export function missingUseConnection(documents: readonly unknown[], connectionArn: string, context?: PolicyContext): MissingPermission[] {
  const spellings = connectionArnSpellings(connectionArn);
  return CONNECTION_PREFIXES.flatMap((prefix) => {
    const action = `${prefix}:UseConnection`;
    const resource = spellings[prefix];
    const verdict = evaluatePolicies(documents, action, resource, context);
    return verdict === 'allowed' ? [] : [{ action, resource, verdict }];
  });
}

/** What a role that cannot use the connection lacks: UseConnection under each prefix, on its own ARN spelling. */
export function useConnectionFinding(role: { roleArn: string; purpose: string }, connectionArn: string, detail: string): PermissionFinding {
  const spellings = CONNECTION_PREFIXES.map((prefix) => `${prefix}:UseConnection on ${connectionArn.replace(/:(codestar-connections|codeconnections):/, `:${prefix}:`)}`);
  return { roleArn: role.roleArn, purpose: role.purpose, missing: spellings, detail };
}
