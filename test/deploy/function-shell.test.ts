import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCloudFormationYaml } from './cfn-yaml.ts';

/**
 * Issue 12: every function serverless.yml deploys is exported through the one Lambda shell (middy
 * with Powertools), and each HTTP function's route table is exactly the routes API Gateway sends it.
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

interface FunctionDefinition {
  handler: string;
  events?: { httpApi?: { method: string; path: string } }[];
}

const functions = (parseCloudFormationYaml(readFileSync(join(repoRoot, 'serverless.yml'), 'utf8')) as { functions: Record<string, FunctionDefinition> }).functions;

async function handlerModule(definition: FunctionDefinition): Promise<Record<string, unknown>> {
  const separator = definition.handler.lastIndexOf('.');
  return (await import(pathToFileURL(join(repoRoot, `${definition.handler.slice(0, separator)}.ts`)).href)) as Record<string, unknown>;
}

describe('the Lambda shell', () => {
  it.each(Object.entries(functions))('%s is a middy handler', async (_name, definition) => {
    const exported = (await handlerModule(definition))[definition.handler.slice(definition.handler.lastIndexOf('.') + 1)] as Record<string, unknown>;
    expect(typeof exported).toBe('function');
    // What @middy/core gives a handler: use/before/after/onError to add middlewares.
    for (const method of ['use', 'before', 'after', 'onError']) expect(typeof exported[method], method).toBe('function');
  });

  it.each(Object.entries(functions).filter(([, definition]) => definition.events?.some((event) => event.httpApi)))(
    "%s's route table is the routes serverless.yml gives it",
    async (_name, definition) => {
      const module = await handlerModule(definition);
      const table = Object.entries(module).find(([key]) => key.endsWith('Routes'))?.[1] as { method: string; path: string }[] | undefined;
      const deployed = definition.events!.flatMap((event) => (event.httpApi ? [`${event.httpApi.method.toUpperCase()} ${event.httpApi.path}`] : []));
      expect(table, `${definition.handler} exports no route table`).toBeDefined();
      expect(table!.map((route) => `${route.method} ${route.path}`).sort()).toEqual(deployed.sort());
    },
  );
});
