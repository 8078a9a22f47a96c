/**
 * IAM's checks of policy documents, as pure functions. IAM runs its checks in stages and reports
 * only the first stage that fails, each with a fixed message:
 *   1. grammar ("Syntax errors in policy.")
 *   2. the legacy parser (Effect must be exactly "Allow" or "Deny")
 *   3. unique statement IDs
 *   4. kind-specific rules: identity policies need actions and resources and no principal; trust
 *      policies need actions and principals, no resources, and only STS actions
 *   5. resource ARN shapes and action vendor prefixes
 * Inline and trust policies, unlike managed policies, may omit Version (it then means 2008-10-17).
 */

/** `identity`: an inline policy (PutRolePolicy). `trust`: a role's AssumeRolePolicyDocument. */
export type PolicyKind = 'identity' | 'trust';

export type PolicyVerdict = { valid: true; document: Record<string, unknown> } | { valid: false; message: string };

type Statement = Record<string, unknown>;

export const SYNTAX_ERROR = 'Syntax errors in policy.';
const LEGACY_PARSING_ERROR = 'The policy failed legacy parsing';

const TOP_LEVEL_ELEMENTS = new Set(['Version', 'Id', 'Statement']);
const VERSIONS = new Set(['2008-10-17', '2012-10-17']);
const STATEMENT_ELEMENTS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const MUTUALLY_EXCLUSIVE = [
  ['Action', 'NotAction'],
  ['Resource', 'NotResource'],
  ['Principal', 'NotPrincipal'],
] as const;
const CONDITION_OPERATORS = new Set([
  'StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike',
  'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan',
  'NumericGreaterThanEquals', 'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan',
  'DateGreaterThanEquals', 'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals',
  'ArnNotLike', 'Null',
]);
const PRINCIPAL_CHECKS: Record<string, (value: string) => boolean> = {
  AWS: (value) => value === '*' || /^\d{12}$/.test(value) || /^arn:aws[a-z-]*:(iam|sts)::(\d{12}|aws):\S+$/.test(value),
  Service: (value) => /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(value),
  Federated: (value) => value.trim() !== '',
  CanonicalUser: (value) => /^[0-9a-f]{64}$/i.test(value),
};
const TRUST_ACTIONS_ERROR =
  'Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity';

export function checkPolicyDocument(text: string, kind: PolicyKind): PolicyVerdict {
  const parsed = parseGrammar(text);
  if (!parsed) return { valid: false, message: SYNTAX_ERROR };
  const { document, statements } = parsed;
  const message =
    legacyParsingError(statements) ??
    duplicateSidError(statements) ??
    (kind === 'identity' ? identityPolicyError(statements) : trustPolicyError(statements)) ??
    resourceFormatError(statements) ??
    actionPrefixError(statements) ??
    (kind === 'trust' ? trustActionError(statements) : undefined);
  return message ? { valid: false, message } : { valid: true, document };
}

/** IAM measures policy quotas without whitespace. */
export function countedPolicySize(text: string): number {
  return text.replace(/\s/g, '').length;
}

/** IAM returns policy documents percent-encoded (RFC 3986); SDK users decode, the CLI decodes for you. */
export function urlEncodePolicyDocument(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function parseGrammar(text: string): { document: Record<string, unknown>; statements: Statement[] } | undefined {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(document)) return undefined;
  if (!Object.keys(document).every((key) => TOP_LEVEL_ELEMENTS.has(key))) return undefined;
  if ('Version' in document && !(typeof document.Version === 'string' && VERSIONS.has(document.Version))) return undefined;
  if ('Id' in document && typeof document.Id !== 'string') return undefined;
  const statements = Array.isArray(document.Statement) ? document.Statement : isObject(document.Statement) ? [document.Statement] : [];
  if (statements.length === 0 || !statements.every((statement) => isObject(statement) && statementGrammarHolds(statement))) {
    return undefined;
  }
  return { document, statements: statements as Statement[] };
}

function statementGrammarHolds(statement: Statement): boolean {
  if (!Object.keys(statement).every((key) => STATEMENT_ELEMENTS.has(key))) return false;
  if (MUTUALLY_EXCLUSIVE.some(([one, other]) => one in statement && other in statement)) return false;
  if (typeof statement.Effect !== 'string' || !/^(allow|deny)$/i.test(statement.Effect)) return false;
  if ('Sid' in statement && typeof statement.Sid !== 'string') return false;
  for (const element of ['Action', 'NotAction', 'Resource', 'NotResource']) {
    if (element in statement && !isStringOrStringList(statement[element])) return false;
  }
  for (const element of ['Principal', 'NotPrincipal']) {
    if (element in statement && !principalGrammarHolds(statement[element])) return false;
  }
  return !('Condition' in statement) || conditionGrammarHolds(statement.Condition);
}

function principalGrammarHolds(principal: unknown): boolean {
  if (principal === '*') return true;
  return isObject(principal) && Object.values(principal).every(isStringOrStringList);
}

function conditionGrammarHolds(condition: unknown): boolean {
  if (!isObject(condition)) return false;
  return Object.entries(condition).every(([operator, block]) => {
    if (!isObject(block)) return false;
    const values = Object.values(block);
    if (!values.every((value) => isScalar(value) || (Array.isArray(value) && value.every(isScalar)))) return false;
    // An unknown operator is only tolerated with an empty block, as IAM's grammar does.
    return values.length === 0 || CONDITION_OPERATORS.has(bareOperator(operator));
  });
}

/** `ForAnyValue:StringLikeIfExists` → `StringLike`. */
function bareOperator(operator: string): string {
  return operator.replace(/^(ForAnyValue|ForAllValues):/, '').replace(/IfExists$/, '');
}

function legacyParsingError(statements: Statement[]): string | undefined {
  // The grammar accepts any case; the legacy parser that still runs after it does not.
  return statements.every((statement) => statement.Effect === 'Allow' || statement.Effect === 'Deny')
    ? undefined
    : LEGACY_PARSING_ERROR;
}

function duplicateSidError(statements: Statement[]): string | undefined {
  const sids = statements.map((statement) => statement.Sid).filter((sid): sid is string => typeof sid === 'string' && sid !== '');
  return new Set(sids).size === sids.length ? undefined : 'Statement IDs (SID) in a single policy must be unique.';
}

function identityPolicyError(statements: Statement[]): string | undefined {
  if (statements.some((statement) => 'Principal' in statement || 'NotPrincipal' in statement)) {
    return 'Policy document should not specify a principal.';
  }
  if (!statements.every((statement) => hasElement(statement, 'Action', 'NotAction'))) return 'Policy statement must contain actions.';
  if (!statements.every((statement) => hasElement(statement, 'Resource', 'NotResource'))) return 'Policy statement must contain resources.';
  return undefined;
}

function trustPolicyError(statements: Statement[]): string | undefined {
  if (!statements.every((statement) => hasElement(statement, 'Action', 'NotAction'))) return 'Policy statement must contain actions.';
  if (!statements.every((statement) => hasPrincipal(statement.Principal ?? statement.NotPrincipal))) {
    return 'Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!';
  }
  if (statements.some((statement) => 'Resource' in statement || 'NotResource' in statement)) return 'Has prohibited field Resource.';
  for (const statement of statements) {
    const principal = statement.Principal ?? statement.NotPrincipal;
    if (principal === '*') continue;
    for (const [type, value] of Object.entries(principal as Record<string, unknown>)) {
      const check = PRINCIPAL_CHECKS[type];
      const invalid = asList(value).find((item) => !check || !check(item));
      if (invalid !== undefined) return `Invalid principal in policy: "${type.toUpperCase()}":"${invalid}"`;
    }
  }
  return undefined;
}

function trustActionError(statements: Statement[]): string | undefined {
  const actions = statements.flatMap((statement) => asList(statement.Action ?? statement.NotAction));
  return actions.every((action) => /^sts:/i.test(action)) ? undefined : TRUST_ACTIONS_ERROR;
}

function resourceFormatError(statements: Statement[]): string | undefined {
  for (const statement of statements) {
    for (const resource of asList(statement.Resource ?? statement.NotResource)) {
      if (resource !== '*' && !resource.includes(':')) return `Resource ${resource} must be in ARN format or "*".`;
    }
  }
  return undefined;
}

function actionPrefixError(statements: Statement[]): string | undefined {
  for (const statement of statements) {
    for (const action of asList(statement.Action ?? statement.NotAction)) {
      const parts = action.split(':');
      if (parts.length === 1 && action !== '*') return 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.';
      if (parts.length > 2) return 'Actions/Condition can contain only one colon.';
      const vendor = parts[0]!;
      if (vendor !== '*' && /[^a-zA-Z0-9\-.]/.test(vendor)) return `Vendor ${vendor} is not valid`;
    }
  }
  return undefined;
}

function hasPrincipal(principal: unknown): boolean {
  return principal === '*' || (isObject(principal) && Object.keys(principal).length > 0);
}

/** The element (or its Not- form) is present, and not an empty list. */
function hasElement(statement: Statement, element: string, notElement: string): boolean {
  const value = element in statement ? statement[element] : statement[notElement];
  if (value === undefined) return false;
  return !Array.isArray(value) || value.length > 0;
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringOrStringList(value: unknown): boolean {
  return typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
