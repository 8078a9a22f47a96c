import { FIRST_RUN_MODES, type FirstRunMode } from '../pipelines/first-run.ts';

/** How the attach step treats the pipeline's roles and its first run (README: "Attaching to the pipeline"). */
export interface PipelineAttachConfig {
  /**
   * `true` (default): put an inline UseConnection policy on the roles that need it. `false`: the
   * platform manages IAM itself; the attach step only checks and reports what is missing.
   */
  grantPermissions: boolean;
  /** What to run once attached (see FirstRunMode). */
  firstRun: FirstRunMode;
  /** How many times to recompute and retry when someone else changes the pipeline during the attach. */
  updateAttempts: number;
}

export function readPipelineAttachConfig(env: NodeJS.ProcessEnv): PipelineAttachConfig {
  const firstRun = (env.FIRST_RUN ?? 'auto').trim();
  if (!(FIRST_RUN_MODES as readonly string[]).includes(firstRun)) {
    throw new Error(`FIRST_RUN must be one of ${FIRST_RUN_MODES.join(', ')}; it is ${firstRun}`);
  }
  const attempts = Number(env.PIPELINE_UPDATE_ATTEMPTS ?? 3);
  return {
    grantPermissions: (env.GRANT_PIPELINE_PERMISSIONS ?? 'true').trim().toLowerCase() !== 'false',
    firstRun: firstRun as FirstRunMode,
    updateAttempts: Number.isInteger(attempts) && attempts >= 1 && attempts <= 10 ? attempts : 3,
  };
}
