import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCloudFormationYaml } from './cfn-yaml.ts';

export interface StateMachineResource {
  logicalId: string;
  sourceFile: string;
  /** The ASL file named in `Definition: ${file(...)}`, relative to the repo root. */
  definitionFile: string | undefined;
  substitutions: Record<string, unknown>;
}

interface CloudFormationFragment {
  Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
}

/** State machines declared in infra/resources/*.yml, read before osls resolves them. */
export function stateMachineResources(repoRoot: string): StateMachineResource[] {
  const dir = join(repoRoot, 'infra', 'resources');
  return readdirSync(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .flatMap((file) => {
      const fragment = parseCloudFormationYaml(readFileSync(join(dir, file), 'utf8')) as CloudFormationFragment;
      return Object.entries(fragment?.Resources ?? {})
        .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')
        .map(([logicalId, resource]) => {
          const definition = resource.Properties?.Definition;
          const fileRef = typeof definition === 'string' ? /^\$\{file\((.+)\)\}$/.exec(definition) : null;
          return {
            logicalId,
            sourceFile: `infra/resources/${file}`,
            definitionFile: fileRef?.[1]?.replace(/^\.\//, ''),
            substitutions: (resource.Properties?.DefinitionSubstitutions ?? {}) as Record<string, unknown>,
          };
        });
    });
}
