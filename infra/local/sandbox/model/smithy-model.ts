import { readFileSync } from 'node:fs';

export interface MemberRef {
  target: string;
  traits?: Record<string, unknown>;
}

export interface Shape {
  type: string;
  members?: Record<string, MemberRef>;
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  input?: { target: string };
  output?: { target: string };
  errors?: { target: string }[];
  operations?: { target: string }[];
  traits?: Record<string, unknown>;
}

export interface LengthTrait {
  min?: number;
  max?: number;
}

const PRELUDE_TYPES: Record<string, string> = {
  String: 'string',
  Boolean: 'boolean',
  PrimitiveBoolean: 'boolean',
  Integer: 'integer',
  PrimitiveInteger: 'integer',
  Long: 'long',
  PrimitiveLong: 'long',
  Double: 'double',
  Float: 'float',
  Timestamp: 'timestamp',
  Blob: 'blob',
  Document: 'document',
  Unit: 'structure',
};

/**
 * A read-only view of an official Smithy JSON model: operations, their input shapes and the
 * modeled errors, so the sandbox derives its rules from AWS's own file.
 */
export class SmithyModel {
  readonly serviceId: string;
  readonly namespace: string;
  private readonly operationsByName = new Map<string, string>();

  private constructor(private readonly shapes: Record<string, Shape>) {
    const service = Object.entries(shapes).find(([, shape]) => shape.type === 'service');
    if (!service) throw new Error('model has no service shape');
    this.serviceId = service[0];
    this.namespace = service[0].split('#')[0]!;
    for (const { target } of service[1].operations ?? []) {
      this.operationsByName.set(target.split('#')[1]!, target);
    }
  }

  static load(path: string | URL): SmithyModel {
    const document = JSON.parse(readFileSync(path, 'utf8')) as { shapes: Record<string, Shape> };
    return new SmithyModel(document.shapes);
  }

  operationNames(): string[] {
    return [...this.operationsByName.keys()].sort();
  }

  hasOperation(name: string): boolean {
    return this.operationsByName.has(name);
  }

  /** The input structure's shape id, or undefined for operations that take no input. */
  inputShapeOf(operation: string): string | undefined {
    const id = this.operationsByName.get(operation);
    const target = id ? this.shapes[id]?.input?.target : undefined;
    return target === 'smithy.api#Unit' ? undefined : target;
  }

  modeledErrorsOf(operation: string): string[] {
    const id = this.operationsByName.get(operation);
    return (id ? (this.shapes[id]?.errors ?? []) : []).map(({ target }) => target.split('#')[1]!);
  }

  /** The HTTP status the model gives an error shape (`httpError`), if it declares one. */
  errorStatus(errorName: string): number | undefined {
    const status = this.shapes[`${this.namespace}#${errorName}`]?.traits?.['smithy.api#httpError'];
    return typeof status === 'number' ? status : undefined;
  }

  isServerFault(errorName: string): boolean {
    return this.shapes[`${this.namespace}#${errorName}`]?.traits?.['smithy.api#error'] === 'server';
  }

  shape(id: string): Shape {
    if (id.startsWith('smithy.api#')) {
      const type = PRELUDE_TYPES[id.slice('smithy.api#'.length)];
      if (!type) throw new Error(`unknown prelude shape ${id}`);
      return { type, members: {} };
    }
    const shape = this.shapes[id];
    if (!shape) throw new Error(`shape ${id} is not in the model`);
    return shape;
  }

  /** Values of an enum shape in model order (what Coral lists in its message). */
  enumValues(shape: Shape): string[] {
    return Object.entries(shape.members ?? {}).map(
      ([name, member]) => (member.traits?.['smithy.api#enumValue'] as string | undefined) ?? name,
    );
  }
}
