/** The few Amazon States Language shapes the local engine reads (JSONPath flavour only). */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type AslState = { Type: string } & Record<string, unknown>;

export interface AslMachine {
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
  [field: string]: unknown;
}

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}

/** Fields that hold nested state machines: Parallel branches and Map item processors. */
const NESTED_MACHINE_FIELDS = ['ItemProcessor', 'Iterator'] as const;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isMachine(value: unknown): value is AslMachine {
  return isRecord(value) && typeof value.StartAt === 'string' && isRecord(value.States);
}

/** Every state with its name, including those nested in Parallel branches and Map item processors. */
export function allStates(machine: AslMachine): Array<{ name: string; state: AslState }> {
  return Object.entries(machine.States).flatMap(([name, state]) => [
    { name, state },
    ...nestedMachines(state).flatMap(allStates),
  ]);
}

function nestedMachines(state: AslState): AslMachine[] {
  const branches = Array.isArray(state.Branches) ? state.Branches : [];
  return [...branches, ...NESTED_MACHINE_FIELDS.map((field) => state[field])].filter(isMachine);
}

/**
 * A copy of the machine with every state (nested ones too) replaced by `mapState(name, state)`.
 * Nested machines inside the returned state are rebuilt from the original's, so `mapState` only
 * deals with the state's own fields.
 */
export function mapStates(machine: AslMachine, mapState: (name: string, state: AslState) => AslState): AslMachine {
  const States = Object.fromEntries(
    Object.entries(machine.States).map(([name, state]) => [name, withMappedNested(mapState(name, state), state, mapState)]),
  );
  return { ...machine, States };
}

function withMappedNested(mapped: AslState, original: AslState, mapState: (name: string, state: AslState) => AslState): AslState {
  const result: AslState = { ...mapped };
  if (Array.isArray(original.Branches)) {
    result.Branches = original.Branches.map((branch: unknown) => (isMachine(branch) ? mapStates(branch, mapState) : branch));
  }
  for (const field of NESTED_MACHINE_FIELDS) {
    const nested = original[field];
    if (isMachine(nested)) result[field] = mapStates(nested, mapState);
  }
  return result;
}
