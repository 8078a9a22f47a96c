/**
 * Enough of IAM's identity-policy evaluation to tell whether a role's inline policies let it
 * perform one action on one resource: an explicit Deny wins, otherwise an Allow must match both
 * the action (case-insensitive) and the resource (case-sensitive), with `*` and `?` wildcards and
 * `NotAction`/`NotResource`. Conditions are evaluated only when the caller knows the request
 * context (`context`: e.g. the connection's `aws:ResourceTag/…` and the role's `aws:PrincipalTag/…`)
 * and only for the plain string and ARN operators, with policy variables (`${aws:PrincipalTag/…}`)
 * in "2012-10-17" documents; any other condition makes the answer `conditional` rather than a guess
 * either way, so a report never claims more than we know. Managed policies, permission boundaries
 * and SCPs are out of sight here (the caller says so).
 */

export type PolicyVerdict = 'allowed' | 'explicitly-denied' | 'conditional' | 'not-allowed';

/** Request context keys and their values, as IAM would know them for the request. */
export type PolicyContext = Readonly<Record<string, string>>;

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
  /** The Version of the document the statement came from (policy variables need 2012-10-17). */
  version?: unknown;
}

type ConditionOutcome = 'holds' | 'fails' | 'unknown';

/** `documents` are policy documents as objects, JSON text, or IAM's URL-encoded JSON text. */
export function evaluatePolicies(documents: readonly unknown[], action: string, resource: string, context?: PolicyContext): PolicyVerdict {
  const matching = documents
    .flatMap(statementsOf)
    .filter((statement) => matchesAction(statement, action) && matchesResource(statement, resource))
    .map((statement) => ({ effect: statement.Effect, outcome: conditionOutcome(statement, context) }))
    .filter(({ outcome }) => outcome !== 'fails');
  const denies = matching.filter(({ effect }) => effect === 'Deny');
  const allows = matching.filter(({ effect }) => effect === 'Allow');
  if (denies.some(({ outcome }) => outcome === 'holds')) return 'explicitly-denied';
  const allowed = allows.some(({ outcome }) => outcome === 'holds');
  if (allowed && denies.length === 0) return 'allowed';
  if (allows.length > 0) return 'conditional';
  return 'not-allowed';
}

/** Parses one document in any of the forms IAM and its callers use; undefined when it is not JSON. */
export function parsePolicyDocument(document: unknown): unknown {
  if (typeof document !== 'string') return document;
  for (const candidate of [document, safeDecode(document)]) {
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // try the next form
    }
  }
  return undefined;
}

function statementsOf(document: unknown): Statement[] {
  const parsed = parsePolicyDocument(document);
  if (typeof parsed !== 'object' || parsed === null) return [];
  const { Statement: statement, Version: version } = parsed as { Statement?: unknown; Version?: unknown };
  const list = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
  return list.filter((item): item is Statement => typeof item === 'object' && item !== null).map((item) => ({ ...item, version }));
}

/** IAM's GetRolePolicy answers the document URL-encoded (RFC 3986). */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function hasCondition(statement: Statement): boolean {
  return typeof statement.Condition === 'object' && statement.Condition !== null && Object.keys(statement.Condition).length > 0;
}

/** The string and ARN operators, each with how one value compares; `…IfExists`, negations and sets stay unknown. */
const COMPARATORS: Record<string, (actual: string, expected: string) => boolean> = {
  stringequals: (actual, expected) => actual === expected,
  stringequalsignorecase: (actual, expected) => actual.toLowerCase() === expected.toLowerCase(),
  stringlike: (actual, expected) => wildcardMatch(expected, actual, false),
  arnequals: (actual, expected) => wildcardMatch(expected, actual, false),
  arnlike: (actual, expected) => wildcardMatch(expected, actual, false),
};

/**
 * Whether a statement's condition holds for the request: every operator and every key must (AND),
 * any listed value may (OR). `unknown` when there is no context, or an operator, key or variable
 * this evaluator cannot decide.
 */
function conditionOutcome(statement: Statement, context: PolicyContext | undefined): ConditionOutcome {
  if (!hasCondition(statement)) return 'holds';
  if (!context) return 'unknown';
  let outcome: ConditionOutcome = 'holds';
  for (const [operator, block] of Object.entries(statement.Condition as Record<string, unknown>)) {
    const compare = COMPARATORS[operator.toLowerCase()];
    if (!compare || typeof block !== 'object' || block === null) return 'unknown';
    for (const [key, expected] of Object.entries(block as Record<string, unknown>)) {
      const actual = contextValue(context, key);
      if (actual === undefined) {
        // The caller gives every tag of the role and of the resource: a tag not there is absent, and matches nothing.
        if (!isTagKey(key)) return 'unknown';
        outcome = 'fails';
        continue;
      }
      const values = asList(expected).map((value) => substituteVariables(value, context, statement.version === '2012-10-17'));
      if (values.includes('unknown')) return 'unknown';
      if (!values.some((value) => value !== 'no-match' && compare(actual, value))) outcome = 'fails';
    }
  }
  return outcome;
}

/** Condition key names are case-insensitive; a tag key after the `/` is not. */
function contextValue(context: PolicyContext, key: string): string | undefined {
  const [name, ...rest] = key.split('/');
  const suffix = rest.join('/');
  const found = Object.entries(context).find(([candidate]) => {
    const [candidateName, ...candidateRest] = candidate.split('/');
    return candidateName!.toLowerCase() === name!.toLowerCase() && candidateRest.join('/') === suffix;
  });
  return found?.[1];
}

function isTagKey(key: string): boolean {
  return /^aws:(ResourceTag|PrincipalTag)\//i.test(key);
}

/**
 * `${key}` replaced from the context, and IAM's escapes `${*}`, `${?}`, `${$}`; literal text before
 * 2012-10-17. A variable naming an absent tag makes the value match nothing (as in IAM); any other
 * unknown variable makes it `unknown`.
 */
function substituteVariables(value: string, context: PolicyContext, variablesApply: boolean): string | 'no-match' | 'unknown' {
  if (!variablesApply) return value;
  let missing: 'no-match' | 'unknown' | undefined;
  const substituted = value.replace(/\$\{([^}]*)\}/g, (_whole, key: string) => {
    if (key === '*' || key === '?' || key === '$') return key;
    const resolved = contextValue(context, key);
    if (resolved === undefined) missing = missing === 'unknown' || !isTagKey(key) ? 'unknown' : 'no-match';
    return resolved ?? '';
  });
  return missing ?? substituted;
}

function matchesAction(statement: Statement, action: string): boolean {
  if (statement.NotAction !== undefined) return !asList(statement.NotAction).some((pattern) => wildcardMatch(pattern, action, true));
  return asList(statement.Action).some((pattern) => wildcardMatch(pattern, action, true));
}

function matchesResource(statement: Statement, resource: string): boolean {
  if (statement.NotResource !== undefined) return !asList(statement.NotResource).some((pattern) => wildcardMatch(pattern, resource, false));
  return asList(statement.Resource).some((pattern) => wildcardMatch(pattern, resource, false));
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = [...pattern].map((character) => (character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}
