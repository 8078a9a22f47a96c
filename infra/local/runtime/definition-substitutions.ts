/**
 * Applies an AWS::StepFunctions::StateMachine's DefinitionSubstitutions the way
 * CloudFormation does before it hands the definition to Step Functions: every `${Name}`
 * in the definition's text is replaced by the value mapped to Name. CloudFormation works
 * on the JSON text, so keys are substituted as well as values; we work on the parsed
 * document so a value containing quotes cannot break the JSON.
 */

const PLACEHOLDER = /\$\{([^}]+)\}/g;

/**
 * `resolve` turns a substitution's CloudFormation value (e.g. `{ 'Fn::GetAtt': [...] }`)
 * into the string the local runtime uses for it; it is called once per placeholder name.
 * Plain string, number and boolean values are used as they are, as CloudFormation would.
 *
 * Throws on a placeholder with no substitution: CloudFormation would hand Step Functions
 * a literal `${Name}` that fails only when the state runs, and we would rather fail at
 * startup.
 */
export function substituteDefinition(
  definition: Record<string, unknown>,
  substitutions: Record<string, unknown>,
  resolve: (cfnValue: unknown) => string,
): Record<string, unknown> {
  const resolved = new Map<string, string>();
  const missing = new Set<string>();

  const valueFor = (name: string): string | undefined => {
    if (resolved.has(name)) return resolved.get(name);
    if (!Object.hasOwn(substitutions, name)) {
      missing.add(name);
      return undefined;
    }
    const raw = substitutions[name];
    const value = typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : resolve(raw);
    resolved.set(name, value);
    return value;
  };

  const substituteText = (text: string): string =>
    text.replace(PLACEHOLDER, (placeholder, name: string) => valueFor(name) ?? placeholder);

  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return substituteText(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [substituteText(key), walk(item)]));
    }
    return value;
  };

  const result = walk(definition) as Record<string, unknown>;
  if (missing.size > 0) {
    throw new Error(
      `State machine definition uses placeholders with no DefinitionSubstitutions entry: ${[...missing].map((name) => `\${${name}}`).join(', ')}`,
    );
  }
  return result;
}
