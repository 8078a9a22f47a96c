// Reads a state machine definition the way osls's `${file(...)}` does for CloudFormation:
// YAML with its anchors, aliases and `<<` merge keys expanded, giving plain JSONPath ASL.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export const STATE_MACHINES = ['provisioning', 'audit', 'decommission', 'host-update'] as const;
export type StateMachineName = (typeof STATE_MACHINES)[number];

/** The definition's path from the repo root, as named by `Definition: ${file(...)}` in infra/resources/. */
export function stateMachineFile(name: StateMachineName): string {
  return `statemachines/${name}.asl.yml`;
}

/** The file as written (for checks on the source itself). */
export function stateMachineSource(name: StateMachineName): string {
  return readFileSync(new URL(`./${name}.asl.yml`, import.meta.url), 'utf8');
}

/**
 * The expanded definition as a plain tree (aliases are copies, not shared objects). With `fill`,
 * each `${Placeholder}` is replaced as DefinitionSubstitutions would; without, they stay.
 */
export function loadStateMachine(name: StateMachineName, fill?: (placeholder: string) => string): Record<string, unknown> {
  const expanded = JSON.stringify(parse(stateMachineSource(name), { merge: true }));
  return JSON.parse(expanded, (_key, value: unknown) =>
    fill && typeof value === 'string' ? value.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_match, placeholder: string) => fill(placeholder)) : value,
  ) as Record<string, unknown>;
}
