/**
 * Just enough IAM policy evaluation to decide whether a pipeline role may use a connection: an
 * explicit Deny wins, otherwise some Allow must match both the action and the resource. Action
 * names match case-insensitively and resources case-sensitively, both with `*` and `?` wildcards;
 * `NotAction`/`NotResource` are honoured. Condition blocks are not evaluated (a statement with a
 * condition counts as matching), which is more permissive than AWS.
 */

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
}

export function isAllowed(documents: readonly unknown[], action: string, resource: string): boolean {
  const statements = documents.flatMap(statementsOf);
  const matching = statements.filter((statement) => matchesAction(statement, action) && matchesResource(statement, resource));
  if (matching.some((statement) => statement.Effect === 'Deny')) return false;
  return matching.some((statement) => statement.Effect === 'Allow');
}

function statementsOf(document: unknown): Statement[] {
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
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map((character) => (character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}
