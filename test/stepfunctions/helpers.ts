import { readFileSync } from 'node:fs';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { LocalStepFunctions, type StateMachineRegistration } from '../../infra/local/stepfunctions/engine.ts';
import { clientConfig, startTestSandbox } from '../helpers/sandbox.ts';

export const ACCOUNT = '111111111111';
export const REGION = 'us-east-1';

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

export interface EngineSandbox {
  sandbox: Sandbox;
  engine: LocalStepFunctions;
  sfn: SFNClient;
  /** State machine ARNs by name. */
  arns: Record<string, string>;
  close(): Promise<void>;
}

/** A sandbox serving the Step Functions API from a local engine with the given state machines. */
export async function startEngineSandbox(registrations: StateMachineRegistration[]): Promise<EngineSandbox> {
  let engine!: LocalStepFunctions;
  const arns: Record<string, string> = {};
  const sandbox = await startTestSandbox({
    extraModules: (deps) => {
      engine = new LocalStepFunctions({ clock: deps.clock, accountId: deps.config.defaultAccountId, region: deps.config.defaultRegion });
      for (const registration of registrations) arns[registration.name] = engine.register(registration);
      return [engine.module(deps)];
    },
  });
  const sfn = new SFNClient(clientConfig(sandbox));
  return {
    sandbox,
    engine,
    sfn,
    arns,
    async close() {
      // Stop what is still running so no callback or wait outlives the test file.
      for (const execution of engine.listExecutions()) execution.stop(undefined, undefined);
      sfn.destroy();
      await sandbox.close();
    },
  };
}

/** Polls until `condition` holds (real time), for steps that happen a few event-loop turns later. */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected a rejection');
}
