import { evaluate, statementsOf, type ConditionContext } from '../../authorization/policy-evaluation.ts';

/**
 * Whether a role's trust policy lets this caller assume it (IAM User Guide, "AWS JSON policy
 * elements: Principal" and "Policy evaluation logic" for role trust policies): the statements
 * whose Principal names the caller (or whose NotPrincipal does not) are evaluated like identity
 * policies for `sts:AssumeRole` on the role, with the request's condition keys. An explicit Deny
 * wins; without an Allow the caller is refused.
 */
export interface Caller {
  accountId: string;
  /** `arn:aws:iam::{account}:root` for the account's administrator, else the assumed-role ARN. */
  arn: string;
  /** The role the caller's session is of, with its path, when the caller is a role session. */
  roleArn?: string | undefined;
}

export function trustPolicyAllows(trustPolicy: string, caller: Caller, roleArn: string, context: ConditionContext): boolean {
  const document = parse(trustPolicy);
  const statements = statementsOf(document)
    .map((statement) => statement as Record<string, unknown>)
    .filter((statement) =>
      'Principal' in statement ? principalNames(statement.Principal, caller) : 'NotPrincipal' in statement && !principalNames(statement.NotPrincipal, caller),
    )
    // A trust policy has no Resource: the role it is attached to is the resource.
    .map(({ Principal: _principal, NotPrincipal: _notPrincipal, ...rest }) => ({ ...rest, Resource: roleArn }));
  const version = (document as { Version?: unknown } | undefined)?.Version;
  return evaluate([{ Version: version, Statement: statements }], { action: 'sts:AssumeRole', resource: roleArn, context }) === 'allow';
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // IAM stored only documents that parse
  }
}

const ACCOUNT_ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;
const ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\//;

/**
 * The forms of an `AWS` principal: `*` (anyone), an account id or its `:root` ARN (any principal
 * of the account whose own policies allow it), a role ARN (any session of that role), or the exact
 * ARN of a session or user. `Service`, `Federated` and `CanonicalUser` principals never name a
 * caller who signs with access keys.
 */
function principalNames(principal: unknown, caller: Caller): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  const aws = (principal as { AWS?: unknown }).AWS;
  const values = typeof aws === 'string' ? [aws] : Array.isArray(aws) ? aws.filter((value): value is string => typeof value === 'string') : [];
  return values.some((value) => {
    if (value === '*') return true;
    if (/^\d{12}$/.test(value)) return value === caller.accountId;
    const root = ACCOUNT_ROOT.exec(value);
    if (root) return root[1] === caller.accountId;
    if (ROLE.test(value)) return caller.roleArn !== undefined && value === caller.roleArn;
    return value === caller.arn;
  });
}
