/**
 * Whether a role's inline policies let it use a connection, for each ARN prefix. A pipeline role
 * needs `UseConnection` under both `codestar-connections:` and `codeconnections:` (field notes
 * §3.13, §3.17): a policy that names only one prefix silently misses resources named by the other.
 *
 * Evaluation is the subset of IAM that grants are written in: Allow/Deny, Action/NotAction,
 * Resource/NotResource, `*` and `?` wildcards (actions case-insensitive, resources case-sensitive),
 * an explicit Deny winning. Conditions cannot be evaluated without a request context: an Allow with
 * a condition still counts as a grant (conditions only narrow which repositories), and a Deny with
 * a condition is not taken as a denial. Both choices avoid reporting drift that is not there.
 */
import { arnWithPrefix } from './resource-key.ts';

export const CONNECTION_PREFIXES = ['codestar-connections', 'codeconnections'] as const;
export type ConnectionPrefix = (typeof CONNECTION_PREFIXES)[number];

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

/** The prefixes for which `UseConnection` on the connection is NOT allowed by these documents. */
export function missingUseConnectionPrefixes(documents: readonly unknown[], connectionArn: string): ConnectionPrefix[] {
  return CONNECTION_PREFIXES.filter((prefix) => !isAllowed(documents, `${prefix}:UseConnection`, arnWithPrefix(connectionArn, prefix)));
}

export function isAllowed(documents: readonly unknown[], action: string, resource: string): boolean {
  const applicable = documents.flatMap(statementsOf).filter((statement) => matchesAction(statement, action) && matchesResource(statement, resource));
  if (applicable.some((statement) => statement.Effect === 'Deny' && statement.Condition === undefined)) return false;
  return applicable.some((statement) => statement.Effect === 'Allow');
}

/** IAM returns documents URL-encoded; accept that, JSON text, or an object. */
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
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = [...pattern].map((character) => (character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}
