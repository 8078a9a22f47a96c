import { invalidInput, validationError } from './errors.ts';
import type { StoredTag } from './state.ts';

/**
 * IAM's request constraints (from the service model) and the way IAM reports them: every violation
 * in one `ValidationError`, each phrased `Value 'x' at 'memberName' failed to satisfy constraint:
 * ...`, with the member named in lower camel case as on the wire of IAM's backend.
 */
export interface StringShape {
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** The pattern as IAM quotes it in its message. */
  patternText?: string;
}

const NAME_PATTERN = { pattern: /^[\w+=,.@-]+$/, patternText: '[\\w+=,.@-]+' };

export const ROLE_NAME: StringShape = { min: 1, max: 64, ...NAME_PATTERN };
export const POLICY_NAME: StringShape = { min: 1, max: 128, ...NAME_PATTERN };
export const POLICY_DOCUMENT: StringShape = {
  min: 1,
  max: 131_072,
  pattern: /^[\t\n\r\u0020-\u00FF]+$/,
  patternText: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+',
};
export const PATH: StringShape = {
  min: 1,
  max: 512,
  pattern: /^(\/|\/[\u0021-\u007E]+\/)$/,
  patternText: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)',
};
export const PATH_PREFIX: StringShape = {
  min: 1,
  max: 512,
  pattern: /^\/[\u0021-\u007F]*$/,
  patternText: '\\u002F[\\u0021-\\u007F]*',
};
export const ROLE_DESCRIPTION: StringShape = {
  max: 1000,
  pattern: /^[\t\n\r\u0020-\u007E\u00A1-\u00FF]*$/,
  patternText: '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*',
};
export const MARKER: StringShape = { min: 1, max: 320, pattern: /^[\u0020-\u00FF]+$/, patternText: '[\\u0020-\\u00FF]+' };
export const ARN: StringShape = { min: 20, max: 2048 };
export const TAG_KEY: StringShape = { min: 1, max: 128, pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, patternText: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' };
const TAG_VALUE: StringShape = { min: 0, max: 256, pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, patternText: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*' };
/** The model's tagListType and tagKeyListType: at most 50 members in one request. */
const MAX_TAGS = 50;

export const MAX_ITEMS = { min: 1, max: 1000 };
export const MAX_SESSION_DURATION = { min: 3600, max: 43_200 };

/** Reads one operation's form parameters, collecting violations until `finish()`. */
export class InputReader {
  private readonly violations: string[] = [];

  constructor(private readonly input: Record<string, unknown>) {}

  required(member: string, shape: StringShape): string {
    const value = this.input[member];
    if (typeof value !== 'string') {
      this.violations.push(`Value null at '${wireName(member)}' failed to satisfy constraint: Member must not be null`);
      return '';
    }
    this.checkString(wireName(member), value, shape);
    return value;
  }

  optional(member: string, shape: StringShape): string | undefined {
    const value = this.input[member];
    if (typeof value !== 'string') return undefined;
    this.checkString(wireName(member), value, shape);
    return value;
  }

  optionalInteger(member: string, { min, max }: { min: number; max: number }): number | undefined {
    const value = this.input[member];
    if (typeof value !== 'string') return undefined;
    const at = `Value '${value}' at '${wireName(member)}' failed to satisfy constraint: `;
    if (!/^-?\d+$/.test(value.trim())) {
      this.violations.push(`${at}Member must be an integer`);
      return undefined;
    }
    const number = Number(value);
    if (number < min) this.violations.push(`${at}Member must have value greater than or equal to ${min}`);
    if (number > max) this.violations.push(`${at}Member must have value less than or equal to ${max}`);
    return number;
  }

  /** `Tags.member.N.Key/Value`; an empty list arrives as `Tags=` (an empty string). */
  tags(member: string, { required = false }: { required?: boolean } = {}): StoredTag[] {
    const value = this.input[member];
    const listName = wireName(member);
    if (value === undefined && required) this.violations.push(`Value null at '${listName}' failed to satisfy constraint: Member must not be null`);
    if (value === undefined || value === '') return [];
    const list = Array.isArray(value) ? value : [];
    if (list.length > MAX_TAGS) {
      this.violations.push(`Value '[${list.length} tags]' at '${listName}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TAGS}`);
    }
    return list.map((item: unknown, index) => {
      const tag = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
      const reader = new InputReader(tag);
      const key = reader.required('Key', TAG_KEY);
      const tagValue = reader.required('Value', TAG_VALUE);
      // Nested members are named by position: `tags.1.member.key`.
      for (const violation of reader.violations) {
        this.violations.push(violation.replace(/ at '(\w+)'/, ` at '${listName}.${index + 1}.member.$1'`));
      }
      return { Key: key, Value: tagValue };
    });
  }

  /**
   * A required list of strings (`TagKeys.member.N`), each checked against `shape`, of at most
   * `maxItems` members. An empty list arrives as `TagKeys=` (an empty string).
   */
  requiredStrings(member: string, shape: StringShape, maxItems: number): string[] {
    const value = this.input[member];
    const listName = wireName(member);
    if (value === undefined) {
      this.violations.push(`Value null at '${listName}' failed to satisfy constraint: Member must not be null`);
      return [];
    }
    const list = Array.isArray(value) ? value : [];
    if (list.length > maxItems) {
      this.violations.push(`Value '[${list.join(', ')}]' at '${listName}' failed to satisfy constraint: Member must have length less than or equal to ${maxItems}`);
    }
    return list.map((item: unknown, index) => {
      const text = typeof item === 'string' ? item : '';
      this.checkString(`${listName}.${index + 1}.member`, text, shape);
      return text;
    });
  }

  /** Throws the collected violations as IAM does; then the semantic checks IAM runs after them. */
  finish(): void {
    const count = this.violations.length;
    if (count === 0) return;
    const noun = count === 1 ? 'validation error' : 'validation errors';
    throw validationError(`${count} ${noun} detected: ${this.violations.join('; ')}`);
  }

  private checkString(wire: string, value: string, { min, max, pattern, patternText }: StringShape): void {
    const at = `Value '${value}' at '${wire}' failed to satisfy constraint: `;
    if (min !== undefined && value.length < min) this.violations.push(`${at}Member must have length greater than or equal to ${min}`);
    if (max !== undefined && value.length > max) this.violations.push(`${at}Member must have length less than or equal to ${max}`);
    if (pattern && !pattern.test(value)) this.violations.push(`${at}Member must satisfy regular expression pattern: ${patternText}`);
  }
}

/** The longest TagKeys list UntagRole takes (the model's tagKeyListType). */
export const MAX_TAG_KEYS = MAX_TAGS;

/** IAM compares tag keys without regard to case. */
export function assertUniqueTagKeys(tags: StoredTag[]): void {
  const seen = new Set<string>();
  for (const { Key } of tags) {
    const key = Key.toLowerCase();
    if (seen.has(key)) throw invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(key);
  }
}

/**
 * IAM User Guide, "Tagging IAM resources": a tag key or value cannot begin with `aws:`, a prefix
 * reserved for AWS (compared without regard to case, as AWS's reserved-prefix rule is).
 */
export function assertNoReservedTags(tags: StoredTag[]): void {
  const reserved = tags.find(({ Key, Value }) => /^aws:/i.test(Key) || /^aws:/i.test(Value));
  if (reserved) throw invalidInput(`Tag keys and values cannot begin with 'aws:', a prefix reserved for AWS use (tag ${reserved.Key}).`);
}

function wireName(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}
