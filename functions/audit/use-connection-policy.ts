/**
 * Drift check on a role's inline policies: for which ARN prefix does it lack `UseConnection` on the
 * connection? A pipeline role needs both `codestar-connections:` and `codeconnections:` (field
 * notes §3.13, §3.17). The evaluation itself is the attach step's (functions/permissions); the
 * auditor only reports what is clearly missing: a grant or a deny behind a Condition is judged
 * only on what IAM would know that the auditor knows too (the role's and the connection's tags, as
 * the tag-based grant's policy asks); anything else is not reported as drift that may not be there.
 */
import type { PolicyContext } from '../attach/policy-evaluator.ts';
import { missingUseConnection } from '../attach/use-connection.ts';
import type { ConnectionPrefix } from '../attach/use-connection.ts';

export { parsePolicyDocument } from '../attach/policy-evaluator.ts';

/** The prefixes for which these documents clearly do NOT allow `UseConnection` on the connection. */
export function missingUseConnectionPrefixes(documents: readonly unknown[], connectionArn: string, context?: PolicyContext): ConnectionPrefix[] {
  return missingUseConnection(documents, connectionArn, context)
    .filter((missing) => missing.verdict !== 'conditional')
    .map((missing) => missing.action.split(':')[0] as ConnectionPrefix);
}
