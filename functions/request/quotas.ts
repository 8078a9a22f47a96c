/**
 * The account's CodeStar Connections quotas, from the Lambda environment (serverless.yml params
 * `hostQuota` and `connectionQuota`). AWS's defaults are 50 hosts and 250 connections, and AWS
 * raises them on request; pre-flight and the auditor measure headroom against these numbers.
 */
export interface Quotas {
  hosts: number;
  connections: number;
}

export const DEFAULT_QUOTAS: Quotas = { hosts: 50, connections: 250 };

/** Unset or empty means AWS's default; anything but a positive whole number is a deployment error. */
export function readQuotas(env: NodeJS.ProcessEnv): Quotas {
  return {
    hosts: quota(env, 'HOST_QUOTA', 'hostQuota', DEFAULT_QUOTAS.hosts),
    connections: quota(env, 'CONNECTION_QUOTA', 'connectionQuota', DEFAULT_QUOTAS.connections),
  };
}

function quota(env: NodeJS.ProcessEnv, name: string, param: string, fallback: number): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive whole number (serverless.yml param ${param}), not "${text}".`);
  }
  return value;
}
