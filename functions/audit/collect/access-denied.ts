import type { UnreadableResource } from '../model.ts';

/**
 * IAM's refusals as the SDKs surface them: `AccessDeniedException` (JSON services such as CodeStar
 * Connections, CodePipeline, Step Functions), `AccessDenied` (IAM's query protocol), and the other
 * `AccessDenied*` codes some services use. Such a refusal on one resource is a finding about that
 * resource (RESOURCE_UNREADABLE), not a reason to fail the whole audit.
 */
export function accessDeniedCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, Code, code } = error as { name?: unknown; Code?: unknown; code?: unknown };
  return [name, Code, code].find((value): value is string => typeof value === 'string' && value.startsWith('AccessDenied'));
}

/**
 * What IAM says it refused, when its message says so: `… is not authorized to perform:
 * codepipeline:GetPipeline on resource: arn:aws:codepipeline:… because …`. Preferred over the
 * collector's own guess: IAM names the action and the ARN a policy statement must allow.
 */
export function deniedRequest(error: unknown): { action?: string; resource?: string } {
  const message = error instanceof Error ? error.message : '';
  const action = /not authorized to perform:?\s+([\w-]+:[\w*]+)/.exec(message)?.[1];
  const resource = /on resource:?\s+(arn:[^\s,;]+)/.exec(message)?.[1]?.replace(/\.$/, '');
  return { ...(action ? { action } : {}), ...(resource ? { resource } : {}) };
}

/**
 * The unreadable-resource entry for `error` when it is an access denial, else undefined (the
 * caller rethrows). `expected` is what the collector called: IAM's own words win where it gives them.
 */
export function unreadableFrom(
  error: unknown,
  expected: Omit<UnreadableResource, 'error' | 'action' | 'policyResource'> & { action: string; policyResource?: string },
): UnreadableResource | undefined {
  const code = accessDeniedCode(error);
  if (!code) return undefined;
  const message = error instanceof Error ? error.message : '';
  const said = deniedRequest(error);
  const policyResource = said.resource ?? expected.policyResource;
  return {
    ...expected,
    action: said.action ?? expected.action,
    ...(policyResource ? { policyResource } : {}),
    error: message && message !== code ? `${code}: ${message}` : code,
  };
}
