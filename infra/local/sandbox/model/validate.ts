import { SerializationError, ValidationError } from '../errors.ts';
import type { LengthTrait, MemberRef, Shape, SmithyModel } from './smithy-model.ts';

/**
 * Validates an operation input against the official model the way AWS's Coral front end does, and
 * reports violations in Coral's words:
 * `2 validation errors detected: Value 'x' at 'connectionName' failed to satisfy constraint: ...; ...`.
 * Member paths are lower-camel-cased, list items are `<list>.<1-based index>.member`.
 */

/**
 * Shape id → replacement traits, for where AWS is observed to differ from its own model, e.g.
 * `{ 'com.amazonaws.codepipeline#ActionConfigurationValue': { 'smithy.api#length': { min: 1, max: 50000 } } }`.
 */
export type ConstraintOverrides = Record<string, Record<string, unknown>>;

interface Violation {
  path: string;
  /** undefined = Coral omits the value (sensitive, maps, structures). */
  rendered: string | undefined;
  constraint: string;
}

export function validateOperationInput(
  model: SmithyModel,
  operation: string,
  input: unknown,
  overrides: ConstraintOverrides = {},
): void {
  const inputShape = model.inputShapeOf(operation);
  if (!inputShape) return;
  if (!isPlainObject(input)) throw new SerializationError('Start of structure or map found where not expected.');
  const violations: Violation[] = [];
  new Walker(model, overrides, violations).visit(inputShape, undefined, input, '');
  if (violations.length > 0) throw new ValidationError(formatViolations(violations));
}

export function formatViolations(violations: Violation[]): string {
  const count = violations.length;
  const parts = violations.map(({ path, rendered, constraint }) => {
    const value = rendered === undefined ? 'Value' : rendered === 'null' ? 'Value null' : `Value '${rendered}'`;
    return `${value} at '${path}' failed to satisfy constraint: ${constraint}`;
  });
  return `${count} validation error${count === 1 ? '' : 's'} detected: ${parts.join('; ')}`;
}

class Walker {
  constructor(
    private readonly model: SmithyModel,
    private readonly overrides: ConstraintOverrides,
    private readonly violations: Violation[],
  ) {}

  visit(shapeId: string, memberTraits: Record<string, unknown> | undefined, value: unknown, path: string): void {
    const shape = this.model.shape(shapeId);
    const traits = { ...shape.traits, ...memberTraits, ...this.overrides[shapeId] };
    const sensitive = 'smithy.api#sensitive' in (shape.traits ?? {});
    switch (shape.type) {
      case 'structure':
        return this.visitStructure(shape, value, path);
      case 'union':
        return this.visitUnion(shape, value, path);
      case 'list':
      case 'set':
        return this.visitList(shape, traits, value, path);
      case 'map':
        return this.visitMap(shape, traits, value, path);
      case 'string':
        expectType(typeof value === 'string', 'string', path);
        return this.checkString(traits, value as string, path, sensitive);
      case 'enum':
        expectType(typeof value === 'string', 'string', path);
        if (!this.model.enumValues(shape).includes(value as string)) {
          this.report(path, sensitive ? undefined : String(value), `Member must satisfy enum value set: [${this.model.enumValues(shape).join(', ')}]`);
        }
        return;
      case 'integer':
      case 'long':
      case 'short':
      case 'byte':
      case 'intEnum':
        expectType(typeof value === 'number' && Number.isInteger(value), 'integer', path);
        return this.checkRange(traits, value as number, path);
      case 'double':
      case 'float':
      case 'bigDecimal':
        expectType(typeof value === 'number', 'number', path);
        return this.checkRange(traits, value as number, path);
      case 'boolean':
        return expectType(typeof value === 'boolean', 'boolean', path);
      case 'timestamp':
        return expectType(typeof value === 'number' || typeof value === 'string', 'timestamp', path);
      case 'blob':
        return expectType(typeof value === 'string', 'blob', path);
      default:
        return; // document: anything goes
    }
  }

  private visitStructure(shape: Shape, value: unknown, path: string): void {
    expectType(isPlainObject(value), 'structure', path);
    const object = value as Record<string, unknown>;
    for (const [name, member] of Object.entries(shape.members ?? {})) {
      const memberPath = path ? `${path}.${lowerFirst(name)}` : lowerFirst(name);
      const memberValue = object[name];
      if (memberValue === undefined || memberValue === null) {
        if (member.traits && 'smithy.api#required' in member.traits) {
          this.report(memberPath, 'null', 'Member must not be null');
        }
        continue;
      }
      this.visit(member.target, member.traits, memberValue, memberPath);
    }
  }

  private visitUnion(shape: Shape, value: unknown, path: string): void {
    expectType(isPlainObject(value), 'union', path);
    const set = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null);
    if (set.length !== 1) throw new SerializationError(`Union at '${path}' must have exactly one member set`);
    const [name, memberValue] = set[0]!;
    const member = shape.members?.[name];
    if (member) this.visit(member.target, member.traits, memberValue, `${path}.${lowerFirst(name)}`);
  }

  private visitList(shape: Shape, traits: Record<string, unknown>, value: unknown, path: string): void {
    expectType(Array.isArray(value), 'list', path);
    const items = value as unknown[];
    const length = traits['smithy.api#length'] as LengthTrait | undefined;
    if (length) this.checkLength(length, items.length, path, renderList(items));
    const member = shape.member as MemberRef;
    items.forEach((item, index) => {
      const itemPath = `${path}.${index + 1}.member`;
      if (item === null || item === undefined) this.report(itemPath, 'null', 'Member must not be null');
      else this.visit(member.target, member.traits, item, itemPath);
    });
  }

  private visitMap(shape: Shape, traits: Record<string, unknown>, value: unknown, path: string): void {
    expectType(isPlainObject(value), 'map', path);
    const entries = Object.entries(value as Record<string, unknown>);
    const length = traits['smithy.api#length'] as LengthTrait | undefined;
    if (length) this.checkLength(length, entries.length, path, undefined);
    const keyFailures = entries.some(([key]) => this.failsAlone(shape.key!, key));
    const valueFailures = entries.some(([, item]) => this.failsAlone(shape.value!, item));
    if (keyFailures) this.report(path, undefined, `Map keys must satisfy constraint: [${this.describe(shape.key!).join(', ')}]`);
    if (valueFailures) this.report(path, undefined, `Map value must satisfy constraint: [${this.describe(shape.value!).join(', ')}]`);
  }

  /** Whether a map key or value breaks its shape's rules, checked in isolation. */
  private failsAlone(member: MemberRef, value: unknown): boolean {
    const collected: Violation[] = [];
    new Walker(this.model, this.overrides, collected).visit(member.target, member.traits, value, 'x');
    return collected.length > 0;
  }

  private describe(member: MemberRef): string[] {
    const shape = this.model.shape(member.target);
    const traits = { ...shape.traits, ...member.traits, ...this.overrides[member.target] };
    const rules: string[] = [];
    const length = traits['smithy.api#length'] as LengthTrait | undefined;
    if (length?.max !== undefined) rules.push(`Member must have length less than or equal to ${length.max}`);
    if (length?.min !== undefined) rules.push(`Member must have length greater than or equal to ${length.min}`);
    const pattern = traits['smithy.api#pattern'];
    if (typeof pattern === 'string') rules.push(`Member must satisfy regular expression pattern: ${pattern}`);
    return rules;
  }

  private checkString(traits: Record<string, unknown>, value: string, path: string, sensitive: boolean): void {
    const rendered = sensitive ? undefined : value;
    const length = traits['smithy.api#length'] as LengthTrait | undefined;
    if (length) this.checkLength(length, value.length, path, rendered);
    const pattern = traits['smithy.api#pattern'];
    if (typeof pattern === 'string' && !compilePattern(pattern).test(value)) {
      this.report(path, rendered, `Member must satisfy regular expression pattern: ${pattern}`);
    }
  }

  private checkLength(length: LengthTrait, actual: number, path: string, rendered: string | undefined): void {
    if (length.max !== undefined && actual > length.max) {
      this.report(path, rendered, `Member must have length less than or equal to ${length.max}`);
    }
    if (length.min !== undefined && actual < length.min) {
      this.report(path, rendered, `Member must have length greater than or equal to ${length.min}`);
    }
  }

  private checkRange(traits: Record<string, unknown>, value: number, path: string): void {
    const range = traits['smithy.api#range'] as LengthTrait | undefined;
    if (range?.max !== undefined && value > range.max) {
      this.report(path, String(value), `Member must have value less than or equal to ${range.max}`);
    }
    if (range?.min !== undefined && value < range.min) {
      this.report(path, String(value), `Member must have value greater than or equal to ${range.min}`);
    }
  }

  private report(path: string, rendered: string | undefined, constraint: string): void {
    this.violations.push({ path, rendered, constraint });
  }
}

const patternCache = new Map<string, RegExp>();

/** Smithy patterns are ECMA-262 and unanchored unless the pattern anchors itself. */
function compilePattern(pattern: string): RegExp {
  let compiled = patternCache.get(pattern);
  if (!compiled) {
    compiled = new RegExp(pattern);
    patternCache.set(pattern, compiled);
  }
  return compiled;
}

function expectType(ok: boolean, expected: string, path: string): void {
  if (!ok) throw new SerializationError(`Expected ${expected} at '${path || 'input'}'`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function renderList(items: unknown[]): string {
  return `[${items.map((item) => (typeof item === 'object' ? JSON.stringify(item) : String(item))).join(', ')}]`;
}
