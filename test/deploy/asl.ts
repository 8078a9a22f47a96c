// Walks Amazon States Language definitions (JSONPath flavour) for the deploy tests.

export type AslState = Record<string, unknown> & { Type: string };
type StateList = Record<string, AslState>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every state, including those nested in Parallel branches and Map item processors. */
export function allStates(machine: unknown, prefix = ''): Array<[path: string, state: AslState]> {
  if (!isRecord(machine) || !isRecord(machine.States)) return [];
  return Object.entries(machine.States as StateList).flatMap(([name, state]) => {
    const path = `${prefix}${name}`;
    const nested = [
      ...(Array.isArray(state.Branches) ? state.Branches : []),
      state.ItemProcessor,
      state.Iterator,
    ].flatMap((child) => allStates(child, `${path} > `));
    return [[path, state] as [string, AslState], ...nested];
  });
}

/** `${Name}` markers that CloudFormation's DefinitionSubstitutions must fill. */
export function placeholdersIn(text: string): Set<string> {
  return new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1] as string));
}

// The local sandbox's interpreter silently ignores JSONata, so these would behave
// differently locally than in AWS.
const JSONATA_ONLY_FIELDS = new Set(['QueryLanguage', 'Assign', 'Arguments', 'Output']);
// Values under these keys are user payloads, where a key such as "Output" is just data.
const PAYLOAD_TEMPLATE_FIELDS = new Set(['Parameters', 'ResultSelector', 'ItemSelector']);

/** Paths of JSONata-only fields anywhere in the definition's structure. */
export function jsonataFieldsIn(node: unknown, path = '$'): string[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => jsonataFieldsIn(item, `${path}[${i}]`));
  if (!isRecord(node)) return [];
  return Object.entries(node).flatMap(([key, value]) => {
    const here = `${path}.${key}`;
    if (JSONATA_ONLY_FIELDS.has(key)) return [here];
    if (PAYLOAD_TEMPLATE_FIELDS.has(key)) return [];
    return jsonataFieldsIn(value, here);
  });
}
