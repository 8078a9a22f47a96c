import { FIRST_RUN_MODES, type FirstRunMode } from './first-run-choice.ts';

/**
 * How the pipeline's roles come to be allowed to use the connection:
 * - `inline-policy` (default): the broker puts an inline UseConnection policy on each role that needs
 *   it (only roles under `grantableRoles`), and removes it on rollback;
 * - `tag-based`: the broker writes no IAM. Each pipeline role carries the tag `connection-broker:team`
 *   and the one policy the platform installs (infra/iam/pipeline-role-use-tagged-connections.json,
 *   which allows UseConnection on connections tagged for the role's team); the broker tags the
 *   connection with the team of the roles it is attached for, and checks;
 * - `check-only`: the platform manages IAM itself; the broker only checks and reports.
 */
export const GRANT_MODES = ['inline-policy', 'tag-based', 'check-only'] as const;
export type GrantMode = (typeof GRANT_MODES)[number];

/** How the attach step treats the pipeline's roles and its first run (README: "Attaching to the pipeline"). */
export interface PipelineAttachConfig {
  /** GRANT_PIPELINE_PERMISSIONS (param grantPipelinePermissions): see {@link GRANT_MODES}; `true`/`false` name the first and the last. */
  grantMode: GrantMode;
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
    grantMode: grantModeOf(env.GRANT_PIPELINE_PERMISSIONS),
    firstRun: firstRun as FirstRunMode,
    updateAttempts: Number.isInteger(attempts) && attempts >= 1 && attempts <= 10 ? attempts : 3,
  };
}

function grantModeOf(value: string | undefined): GrantMode {
  const text = (value ?? '').trim().toLowerCase();
  if (text === '' || text === 'true') return 'inline-policy';
  if (text === 'false') return 'check-only';
  if ((GRANT_MODES as readonly string[]).includes(text)) return text as GrantMode;
  throw new Error(`GRANT_PIPELINE_PERMISSIONS must be one of ${GRANT_MODES.join(', ')} (or true/false); it is ${value}`);
}
