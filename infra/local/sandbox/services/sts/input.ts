import { AwsServiceError } from '../../errors.ts';
import type { SmithyModel } from '../../model/smithy-model.ts';
import { validateOperationInput } from '../../model/validate.ts';
import { validationError } from './errors.ts';

/**
 * STS's input checks, derived from its official model (models/sts.smithy.json) by the shared
 * validator, in Coral's words: `1 validation error detected: Value 'x' at 'roleSessionName' failed
 * to satisfy constraint: ...`. The query protocol sends every value as text, so values are first
 * given the model's types (integers, booleans, lists). Two differences from the JSON services:
 * - the code is STS's `ValidationError`, not `ValidationException`;
 * - STS quotes a pattern as its service model has it, unanchored (`[\w+=,.@-]*`, as in botocore's
 *   sts model), while the Smithy release wraps each in `^…$`.
 */
export function readInput(model: SmithyModel, operation: string, raw: Record<string, unknown>): Record<string, unknown> {
  const inputShape = model.inputShapeOf(operation);
  if (!inputShape) return {};
  const input = typed(model, inputShape, raw) as Record<string, unknown>;
  try {
    validateOperationInput(model, operation, input);
  } catch (error) {
    if (!(error instanceof AwsServiceError)) throw error;
    throw validationError(error.message.replace(/(regular expression pattern: )\^(.*?)\$(?=; Value |; Map |$)/g, '$1$2'));
  }
  return input;
}

/** The query protocol's text given the model's types; anything that does not convert is left for the validator to refuse. */
function typed(model: SmithyModel, shapeId: string, value: unknown): unknown {
  const shape = model.shape(shapeId);
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
      const members = shape.members ?? {};
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([name, item]) => [name, members[name] ? typed(model, members[name].target, item) : item]),
      );
    }
    case 'list':
    case 'set':
      // An empty list is sent as the bare parameter (`Tags=`).
      if (value === '') return [];
      return Array.isArray(value) ? value.map((item) => typed(model, shape.member!.target, item)) : value;
    case 'integer':
    case 'long':
    case 'short':
    case 'byte':
      return typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    default:
      return value;
  }
}
