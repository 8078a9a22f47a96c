import { randomUUID } from 'node:crypto';
import type { JsonValue } from './asl.ts';

/**
 * What `$$.Task.Token` evaluates to inside the library (it has no task tokens of its own): the engine
 * passes it in the run's context object and swaps it for a real token in the callback task's input.
 * Unique per process so no input can contain it by accident; shaped nothing like a real token.
 */
export const TASK_TOKEN_PLACEHOLDER = `<local-task-token-placeholder:${randomUUID()}>`;

/** A copy of `value` with every occurrence of `search` in its strings replaced (keys are left alone). */
export function replaceText(value: JsonValue, search: string, replacement: string): JsonValue {
  if (typeof value === 'string') return value.split(search).join(replacement);
  if (Array.isArray(value)) return value.map((item) => replaceText(item, search, replacement));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceText(item, search, replacement)]));
  }
  return value;
}

export function containsText(value: JsonValue, search: string): boolean {
  if (typeof value === 'string') return value.includes(search);
  if (Array.isArray(value)) return value.some((item) => containsText(item, search));
  if (value !== null && typeof value === 'object') return Object.values(value).some((item) => containsText(item, search));
  return false;
}
