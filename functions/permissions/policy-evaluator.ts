/**
 * Enough of IAM's identity-policy evaluation to tell whether a role's inline policies let it
 * perform one action on one resource: an explicit Deny wins, otherwise an Allow must match both
 * the action (case-insensitive) and the resource (case-sensitive), with `*` and `?` wildcards and
 * `NotAction`/`NotResource`. Condition blocks are not evaluated; a statement that has one makes the
 * answer `conditional` rather than a guess either way, so a report never claims more than we know.
 * Managed policies, permission boundaries and SCPs are out of sight here (the caller says so).
 */

export type PolicyVerdict = 'allowed' | 'explicitly-denied' | 'conditional' | 'not-allowed';

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

/** `documents` are policy documents as objects, JSON text, or IAM's URL-encoded JSON text. */
export function evaluatePolicies(documents: readonly unknown[], action: string, resource: string): PolicyVerdict {
  const matching = documents.flatMap(statementsOf).filter((statement) => matchesAction(statement, action) && matchesResource(statement, resource));
  const denies = matching.filter((statement) => statement.Effect === 'Deny');
  const allows = matching.filter((statement) => statement.Effect === 'Allow');
  if (denies.some((statement) => !hasCondition(statement))) return 'explicitly-denied';
  const allowed = allows.some((statement) => !hasCondition(statement));
  if (allowed && denies.length === 0) return 'allowed';
  if (allowed || allows.length > 0) return 'conditional';
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
  const statement = (parsed as { Statement?: unknown }).Statement;
  const list = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
  return list.filter((item): item is Statement => typeof item === 'object' && item !== null);
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
