/**
 * IAM's evaluation of identity-based policies for one request, as a pure function: an explicit Deny
 * in any statement wins; otherwise some Allow must match the action, the resource and every
 * condition; otherwise the request is implicitly denied. Action names match case-insensitively and
 * resources case-sensitively, both with `*` and `?` wildcards; `NotAction`/`NotResource` are honoured.
 *
 * Conditions follow the IAM User Guide's "Condition operators" and "multivalued context keys":
 * every operator in a block and every key under an operator must hold (AND), any value listed for
 * a key may match (OR); a key missing from the request context makes the condition false, except for
 * the negated operators, `...IfExists`, `Null`, and `ForAllValues:` (true on an empty set).
 * Unknown operators are false (never more lenient than IAM).
 */

/** What the request context holds: single values, or sets for multivalued keys such as `aws:TagKeys`. */
export type ConditionContext = Record<string, string | string[] | undefined>;

export interface AuthorizationRequest {
  action: string;
  resource: string;
  context: ConditionContext;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

export function evaluate(documents: readonly unknown[], request: AuthorizationRequest): Decision {
  const statements = documents.flatMap(statementsOf);
  const applies = (statement: Statement) =>
    matchesAction(statement, request.action) && matchesResource(statement, request.resource) && conditionsHold(statement.Condition, request.context);
  if (statements.some((statement) => statement.Effect === 'Deny' && applies(statement))) return 'explicit-deny';
  if (statements.some((statement) => statement.Effect === 'Allow' && applies(statement))) return 'allow';
  return 'implicit-deny';
}

export function statementsOf(document: unknown): Statement[] {
  const parsed = typeof document === 'string' ? parseDocument(document) : document;
  if (typeof parsed !== 'object' || parsed === null) return [];
  const statement = (parsed as { Statement?: unknown }).Statement;
  const list = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
  return list.filter((item): item is Statement => typeof item === 'object' && item !== null);
}

/** IAM hands policy documents out URL-encoded; accept that form as well as plain JSON text. */
function parseDocument(text: string): unknown {
  for (const candidate of [text, safeDecode(text)]) {
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // try the next form
    }
  }
  return undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
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
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return Array.isArray(value) ? value.filter((item) => ['string', 'number', 'boolean'].includes(typeof item)).map(String) : [];
}

export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map((character) => (character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

function conditionsHold(condition: unknown, context: ConditionContext): boolean {
  if (condition === undefined) return true;
  if (typeof condition !== 'object' || condition === null) return false;
  return Object.entries(condition as Record<string, unknown>).every(([operator, block]) => {
    if (typeof block !== 'object' || block === null) return false;
    return Object.entries(block as Record<string, unknown>).every(([key, expected]) => operatorHolds(operator, lookup(context, key), asList(expected)));
  });
}

/** Condition keys are case-insensitive; the tag key after `aws:RequestTag/` or `aws:ResourceTag/` is not. */
function lookup(context: ConditionContext, key: string): string[] | undefined {
  const slash = key.indexOf('/');
  const [name, suffix] = slash === -1 ? [key, ''] : [key.slice(0, slash), key.slice(slash)];
  for (const [candidate, value] of Object.entries(context)) {
    const candidateSlash = candidate.indexOf('/');
    const [candidateName, candidateSuffix] = candidateSlash === -1 ? [candidate, ''] : [candidate.slice(0, candidateSlash), candidate.slice(candidateSlash)];
    if (candidateName.toLowerCase() === name.toLowerCase() && candidateSuffix === suffix) {
      if (value === undefined) return undefined;
      return Array.isArray(value) ? value : [value];
    }
  }
  return undefined;
}

function operatorHolds(operator: string, actual: string[] | undefined, expected: string[]): boolean {
  if (operator === 'Null') {
    const wantsMissing = expected.some((value) => value.toLowerCase() === 'true');
    return wantsMissing ? actual === undefined || actual.length === 0 : actual !== undefined && actual.length > 0;
  }
  const ifExists = operator.endsWith('IfExists');
  const [qualifier, bare] = operator.includes(':') ? (operator.split(':', 2) as [string, string]) : ['', operator];
  const base = ifExists ? bare.slice(0, -'IfExists'.length) : bare;
  const compare = COMPARATORS[base];
  if (!compare) return false;
  const negated = NEGATED.has(base);
  if (actual === undefined || actual.length === 0) {
    if (qualifier === 'ForAllValues') return true;
    return ifExists || negated;
  }
  const matchesAny = (value: string) => expected.some((pattern) => compare(value, pattern));
  if (qualifier === 'ForAllValues') return actual.every((value) => (negated ? !matchesAny(value) : matchesAny(value)));
  if (qualifier === 'ForAnyValue') return actual.some((value) => (negated ? !matchesAny(value) : matchesAny(value)));
  // A single-valued key: the negated operators hold when no listed value matches.
  return negated ? !actual.some(matchesAny) : actual.some(matchesAny);
}

const NEGATED = new Set(['StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'ArnNotEquals', 'ArnNotLike', 'NumericNotEquals', 'DateNotEquals']);

type Comparator = (actual: string, expected: string) => boolean;

const stringEquals: Comparator = (actual, expected) => actual === expected;
const stringEqualsIgnoreCase: Comparator = (actual, expected) => actual.toLowerCase() === expected.toLowerCase();
const stringLike: Comparator = (actual, expected) => wildcardMatch(expected, actual, false);
const numeric = (test: (a: number, b: number) => boolean): Comparator => (actual, expected) => test(Number(actual), Number(expected));
const date = (test: (a: number, b: number) => boolean): Comparator => (actual, expected) => test(Date.parse(actual), Date.parse(expected));

const COMPARATORS: Record<string, Comparator> = {
  StringEquals: stringEquals,
  StringNotEquals: stringEquals,
  StringEqualsIgnoreCase: stringEqualsIgnoreCase,
  StringNotEqualsIgnoreCase: stringEqualsIgnoreCase,
  StringLike: stringLike,
  StringNotLike: stringLike,
  // ARNs compare part by part with wildcards; for the ARNs in this sandbox a whole-string match is the same.
  ArnEquals: stringLike,
  ArnLike: stringLike,
  ArnNotEquals: stringLike,
  ArnNotLike: stringLike,
  NumericEquals: numeric((a, b) => a === b),
  NumericNotEquals: numeric((a, b) => a === b),
  NumericLessThan: numeric((a, b) => a < b),
  NumericLessThanEquals: numeric((a, b) => a <= b),
  NumericGreaterThan: numeric((a, b) => a > b),
  NumericGreaterThanEquals: numeric((a, b) => a >= b),
  DateEquals: date((a, b) => a === b),
  DateNotEquals: date((a, b) => a === b),
  DateLessThan: date((a, b) => a < b),
  DateLessThanEquals: date((a, b) => a <= b),
  DateGreaterThan: date((a, b) => a > b),
  DateGreaterThanEquals: date((a, b) => a >= b),
  Bool: stringEqualsIgnoreCase,
};
