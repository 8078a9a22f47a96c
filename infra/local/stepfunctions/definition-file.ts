import { readFileSync } from 'node:fs';

/**
 * Fills `${Name}` placeholders the way CloudFormation's DefinitionSubstitutions does, so the local
 * engine runs the same ASL file that is deployed. Every placeholder must have a value: a forgotten
 * one would otherwise reach the engine as a literal string.
 */
export function substituteDefinition(text: string, substitutions: Readonly<Record<string, string>>): Record<string, unknown> {
  const missing = new Set<string>();
  const filled = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (placeholder, name: string) => {
    const value = substitutions[name];
    if (value === undefined) {
      missing.add(name);
      return placeholder;
    }
    // Values land inside JSON strings.
    return JSON.stringify(value).slice(1, -1);
  });
  if (missing.size > 0) throw new Error(`No substitution for ${[...missing].map((name) => `\${${name}}`).join(', ')}`);
  return JSON.parse(filled) as Record<string, unknown>;
}

export function readDefinitionFile(path: string | URL, substitutions: Readonly<Record<string, string>>): Record<string, unknown> {
  return substituteDefinition(readFileSync(path, 'utf8'), substitutions);
}
