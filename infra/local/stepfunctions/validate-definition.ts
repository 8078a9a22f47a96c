import { allStates, isMachine, isRecord, type AslMachine } from './asl.ts';
import { UnmappedTaskStateError, InvalidDefinitionError } from './errors.ts';

// aws-local-stepfunctions silently ignores these (JSONata, variables), so a definition using them
// would behave differently here than in AWS.
const UNSUPPORTED_FIELDS = new Set(['Assign', 'Arguments', 'Output']);
// Values under these keys are payloads, where a key such as "Output" is just data.
const PAYLOAD_FIELDS = new Set(['Parameters', 'ResultSelector', 'ItemSelector', 'Result']);

/**
 * Checks what the local engine needs beyond ASL validity: JSONPath only, and a handler for every Task
 * state. (The library keys its handlers by state name, so names must be unique across the whole
 * machine; asl-validator already rejects duplicates with DUPLICATE_STATE_NAMES.)
 */
export function checkRunnableLocally(definition: unknown, handledStates: ReadonlySet<string>): AslMachine {
  if (!isMachine(definition)) throw new InvalidDefinitionError('The definition needs StartAt and States');
  const unsupported = unsupportedFieldsIn(definition);
  if (unsupported.length > 0) {
    throw new InvalidDefinitionError(`The local engine runs JSONPath definitions only; remove ${unsupported.join(', ')}`);
  }
  const unmapped = unmappedTaskStates(definition, handledStates);
  if (unmapped.length > 0) throw new UnmappedTaskStateError(unmapped);
  return definition;
}

/** JSON paths of JSONata-only or variable fields anywhere in the definition's structure. */
export function unsupportedFieldsIn(node: unknown, path = '$'): string[] {
  if (Array.isArray(node)) return node.flatMap((item, index) => unsupportedFieldsIn(item, `${path}[${index}]`));
  if (!isRecord(node)) return [];
  return Object.entries(node).flatMap(([key, value]) => {
    const here = `${path}.${key}`;
    if (key === 'QueryLanguage' && value !== 'JSONPath') return [here];
    if (UNSUPPORTED_FIELDS.has(key)) return [here];
    if (PAYLOAD_FIELDS.has(key)) return [];
    return unsupportedFieldsIn(value, here);
  });
}

export function unmappedTaskStates(machine: AslMachine, handledStates: ReadonlySet<string>): Array<{ name: string; resource: string }> {
  return allStates(machine)
    .filter(({ name, state }) => state.Type === 'Task' && !handledStates.has(name))
    .map(({ name, state }) => ({ name, resource: String(state.Resource) }));
}
