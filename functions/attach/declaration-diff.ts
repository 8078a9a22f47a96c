/**
 * What changed between two pipeline declarations, as JSON Pointer paths (RFC 6901) with the value
 * before and after. The request record keeps this for the auditor's drift checks: each path we
 * changed should still hold its `after` value. `version` is left out: it changes on every update.
 */

export interface DeclarationChange {
  /** e.g. `/stages/0/actions/1/configuration/BranchName`. */
  path: string;
  /** Absent when the value was added. */
  before?: unknown;
  /** Absent when the value was removed. */
  after?: unknown;
}

export function diffDeclarations(before: unknown, after: unknown): DeclarationChange[] {
  const changes: DeclarationChange[] = [];
  walk(withoutVersion(before), withoutVersion(after), '', changes);
  return changes;
}

/** The value at a JSON Pointer, or undefined when the path does not exist. */
export function valueAt(document: unknown, path: string): unknown {
  if (path === '') return document;
  let current: unknown = document;
  for (const segment of path.slice(1).split('/').map(unescapeSegment)) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function withoutVersion(declaration: unknown): unknown {
  if (!isObject(declaration)) return declaration;
  const { version: _version, ...rest } = declaration;
  return rest;
}

function walk(before: unknown, after: unknown, path: string, changes: DeclarationChange[]): void {
  if (Object.is(before, after)) return;
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let index = 0; index < Math.max(before.length, after.length); index += 1) {
      const child = `${path}/${index}`;
      if (index >= after.length) changes.push({ path: child, before: before[index] });
      else if (index >= before.length) changes.push({ path: child, after: after[index] });
      else walk(before[index], after[index], child, changes);
    }
    return;
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    for (const key of keys) {
      const child = `${path}/${escapeSegment(key)}`;
      if (!Object.hasOwn(after, key)) changes.push({ path: child, before: before[key] });
      else if (!Object.hasOwn(before, key)) changes.push({ path: child, after: after[key] });
      else walk(before[key], after[key], child, changes);
    }
    return;
  }
  changes.push({ path, ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapeSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
