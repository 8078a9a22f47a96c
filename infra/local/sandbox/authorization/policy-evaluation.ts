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
 *
 * Policy variables follow the IAM User Guide, "IAM policy elements: Variables and tags". Only a
 * document whose Version is "2012-10-17" has them (in "2008-10-17" or without a Version, `${...}` is
 * literal text). They are resolved in the resource portion of Resource/NotResource ARNs (after the
 * fifth colon) and in the values of the string and ARN condition operators, never in keys, actions
 * or other operators' values. `${key}` takes the request context's value for the key (key names
 * case-insensitive, as in conditions); `${key, 'default'}` falls back to the default; `${*}`, `${?}`
 * and `${$}` are a literal `*`, `?` and `$`. A resolved value is literal text: its `*` and `?` are
 * not wildcards. A variable with no value (its key absent, or multivalued, which IAM does not
 * substitute) leaves the value null ("Policy variables with no value"): it equals or is like
 * nothing, so a positive operator does not match it and a negated operator does; a Resource or
 * NotResource pattern with such a variable matches no resource.
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
  const statements = documents.flatMap((document) => {
    // Variables are resolved against the request context, in documents of the version that has them.
    const variables = versionOf(document) === VARIABLES_VERSION ? request.context : undefined;
    return statementsOf(document).map((statement) => ({ statement, variables }));
  });
  const applies = ({ statement, variables }: (typeof statements)[number]) =>
    matchesAction(statement, request.action) &&
    matchesResource(statement, request.resource, variables) &&
    conditionsHold(statement.Condition, request.context, variables);
  if (statements.some((entry) => entry.statement.Effect === 'Deny' && applies(entry))) return 'explicit-deny';
  if (statements.some((entry) => entry.statement.Effect === 'Allow' && applies(entry))) return 'allow';
  return 'implicit-deny';
}

export function statementsOf(document: unknown): Statement[] {
  const parsed = documentOf(document);
  if (parsed === undefined) return [];
  const statement = (parsed as { Statement?: unknown }).Statement;
  const list = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
  return list.filter((item): item is Statement => typeof item === 'object' && item !== null);
}

/** The policy language version that introduced policy variables. */
const VARIABLES_VERSION = '2012-10-17';

function versionOf(document: unknown): unknown {
  return (documentOf(document) as { Version?: unknown } | undefined)?.Version;
}

function documentOf(document: unknown): object | undefined {
  const parsed = typeof document === 'string' ? parseDocument(document) : document;
  return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
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

function matchesResource(statement: Statement, resource: string, variables: ConditionContext | undefined): boolean {
  const matches = (pattern: string) => {
    const resolved = resolveResource(pattern, variables);
    return resolved !== undefined && piecesMatch(resolved, resource, false);
  };
  if (statement.NotResource !== undefined) return !asList(statement.NotResource).some(matches);
  return asList(statement.Resource).some(matches);
}

function asList(value: unknown): string[] {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return Array.isArray(value) ? value.filter((item) => ['string', 'number', 'boolean'].includes(typeof item)).map(String) : [];
}

export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  return piecesMatch([{ text: pattern, literal: false }], value, ignoreCase);
}

/**
 * A policy string after its variables are resolved: pieces of policy text, where `*` and `?` are
 * wildcards for the operators that have them, and literal pieces (a variable's value, `${*}`...).
 */
interface Piece {
  text: string;
  literal: boolean;
}

/** Undefined: the string holds a variable with no value, so it equals or is like nothing. */
type Resolved = Piece[] | undefined;

function piecesMatch(pieces: Piece[], value: string, ignoreCase: boolean): boolean {
  const source = pieces
    .map(({ text, literal }) =>
      text
        .split('')
        .map((character) => (literal ? escapeRegExp(character) : character === '*' ? '.*' : character === '?' ? '.' : escapeRegExp(character)))
        .join(''),
    )
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

function escapeRegExp(character: string): string {
  return character.replace(/[.*?+^${}()|[\]\\]/g, '\\$&');
}

const joined = (pieces: Piece[]): string => pieces.map(({ text }) => text).join('');

const VARIABLE = /\$\{([^}]*)\}/g;
/** `${key, 'default'}`: the key, a comma and a space, then the default in single quotes. */
const WITH_DEFAULT = /^(.*?), '([^']*)'$/s;
const ESCAPES = new Set(['*', '?', '$']);

/** The text with its variables replaced; without a context (no variables here) the text as it is. */
function resolve(text: string, variables: ConditionContext | undefined): Resolved {
  if (variables === undefined) return [{ text, literal: false }];
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of text.matchAll(VARIABLE)) {
    if (match.index > last) pieces.push({ text: text.slice(last, match.index), literal: false });
    const value = variableValue(match[1]!, variables);
    if (value === undefined) return undefined;
    pieces.push({ text: value, literal: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last), literal: false });
  return pieces;
}

function variableValue(body: string, variables: ConditionContext): string | undefined {
  if (ESCAPES.has(body)) return body;
  const withDefault = WITH_DEFAULT.exec(body);
  const value = rawLookup(variables, withDefault ? withDefault[1]! : body);
  // A multivalued key cannot be a variable (IAM User Guide, "Single-valued vs. multivalued context keys").
  if (typeof value === 'string') return value;
  return withDefault?.[2];
}

/** Variables stand only in the resource portion of an ARN, after its fifth colon. */
function resolveResource(pattern: string, variables: ConditionContext | undefined): Resolved {
  let fifthColon = -1;
  for (let count = 0; count < 5; count++) {
    fifthColon = pattern.indexOf(':', fifthColon + 1);
    if (fifthColon === -1) return [{ text: pattern, literal: false }];
  }
  const tail = resolve(pattern.slice(fifthColon + 1), variables);
  return tail && [{ text: pattern.slice(0, fifthColon + 1), literal: false }, ...tail];
}

function conditionsHold(condition: unknown, context: ConditionContext, variables: ConditionContext | undefined): boolean {
  if (condition === undefined) return true;
  if (typeof condition !== 'object' || condition === null) return false;
  return Object.entries(condition as Record<string, unknown>).every(([operator, block]) => {
    if (typeof block !== 'object' || block === null) return false;
    // Only the string and ARN operators take variables (IAM User Guide, "Condition element").
    const substitutes = VARIABLE_OPERATORS.has(baseOperator(operator)) ? variables : undefined;
    return Object.entries(block as Record<string, unknown>).every(([key, expected]) =>
      operatorHolds(
        operator,
        lookup(context, key),
        asList(expected).map((value) => resolve(value, substitutes)),
      ),
    );
  });
}

const VARIABLE_OPERATORS = new Set([
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
]);

/** The operator without its set qualifier and `IfExists`: `ForAnyValue:StringLikeIfExists` → `StringLike`. */
function baseOperator(operator: string): string {
  const bare = operator.includes(':') ? operator.split(':', 2)[1]! : operator;
  return bare.endsWith('IfExists') ? bare.slice(0, -'IfExists'.length) : bare;
}

/** Condition keys are case-insensitive; the tag key after `aws:RequestTag/` or `aws:ResourceTag/` is not. */
function lookup(context: ConditionContext, key: string): string[] | undefined {
  const value = rawLookup(context, key);
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

function rawLookup(context: ConditionContext, key: string): string | string[] | undefined {
  const slash = key.indexOf('/');
  const [name, suffix] = slash === -1 ? [key, ''] : [key.slice(0, slash), key.slice(slash)];
  for (const [candidate, value] of Object.entries(context)) {
    const candidateSlash = candidate.indexOf('/');
    const [candidateName, candidateSuffix] = candidateSlash === -1 ? [candidate, ''] : [candidate.slice(0, candidateSlash), candidate.slice(candidateSlash)];
    if (candidateName.toLowerCase() === name.toLowerCase() && candidateSuffix === suffix) return value;
  }
  return undefined;
}

function operatorHolds(operator: string, actual: string[] | undefined, expected: Resolved[]): boolean {
  if (operator === 'Null') {
    const wantsMissing = expected.some((value) => value !== undefined && joined(value).toLowerCase() === 'true');
    return wantsMissing ? actual === undefined || actual.length === 0 : actual !== undefined && actual.length > 0;
  }
  const ifExists = operator.endsWith('IfExists');
  const [qualifier] = operator.includes(':') ? (operator.split(':', 2) as [string, string]) : [''];
  const base = baseOperator(operator);
  const compare = COMPARATORS[base];
  if (!compare) return false;
  const negated = NEGATED.has(base);
  if (actual === undefined || actual.length === 0) {
    if (qualifier === 'ForAllValues') return true;
    return ifExists || negated;
  }
  // A value with a variable that has no value matches nothing (so a negated operator holds for it).
  const matchesAny = (value: string) => expected.some((pattern) => pattern !== undefined && compare(value, pattern));
  if (qualifier === 'ForAllValues') return actual.every((value) => (negated ? !matchesAny(value) : matchesAny(value)));
  if (qualifier === 'ForAnyValue') return actual.some((value) => (negated ? !matchesAny(value) : matchesAny(value)));
  // A single-valued key: the negated operators hold when no listed value matches.
  return negated ? !actual.some(matchesAny) : actual.some(matchesAny);
}

const NEGATED = new Set(['StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'ArnNotEquals', 'ArnNotLike', 'NumericNotEquals', 'DateNotEquals']);

type Comparator = (actual: string, expected: Piece[]) => boolean;

const stringEquals: Comparator = (actual, expected) => actual === joined(expected);
const stringEqualsIgnoreCase: Comparator = (actual, expected) => actual.toLowerCase() === joined(expected).toLowerCase();
const stringLike: Comparator = (actual, expected) => piecesMatch(expected, actual, false);
const numeric = (test: (a: number, b: number) => boolean): Comparator => (actual, expected) => test(Number(actual), Number(joined(expected)));
const date = (test: (a: number, b: number) => boolean): Comparator => (actual, expected) => test(Date.parse(actual), Date.parse(joined(expected)));

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
