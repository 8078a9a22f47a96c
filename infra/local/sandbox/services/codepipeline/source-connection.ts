import type { ActionDeclaration } from '@aws-sdk/client-codepipeline';

/**
 * The `Source/AWS/CodeStarSourceConnection/1` action (CodePipeline action reference): which
 * configuration it accepts, and how its ConnectionArn is read.
 */

const REQUIRED_KEYS = ['ConnectionArn', 'FullRepositoryId', 'BranchName'] as const;
const KNOWN_KEYS = new Set<string>([...REQUIRED_KEYS, 'OutputArtifactFormat', 'DetectChanges']);
const OUTPUT_ARTIFACT_FORMATS = ['CODE_ZIP', 'CODEBUILD_CLONE_REF'];
const DETECT_CHANGES_VALUES = ['true', 'false'];

/** Connections are minted under the endpoint they were created through (see facts §1.11). */
export type ConnectionArnPrefix = 'codestar-connections' | 'codeconnections';

export interface ConnectionArn {
  arn: string;
  prefix: ConnectionArnPrefix;
  region: string;
  accountId: string;
}

const CONNECTION_ARN = /^arn:aws(?:-[a-z]+)*:(codestar-connections|codeconnections):([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):connection\/[A-Za-z0-9-]+$/;

export function parseConnectionArn(arn: string): ConnectionArn | undefined {
  const match = CONNECTION_ARN.exec(arn);
  if (!match) return undefined;
  return { arn, prefix: match[1] as ConnectionArnPrefix, region: match[2]!, accountId: match[3]! };
}

/** The first thing wrong with the action's configuration, as an InvalidActionDeclaration message, or undefined. */
export function connectionConfigurationProblem(action: ActionDeclaration, stageName: string): string | undefined {
  const where = `action '${action.name}' in stage '${stageName}'`;
  const configuration = action.configuration ?? {};
  for (const key of REQUIRED_KEYS) {
    if (configuration[key] === undefined) {
      return `Action configuration for ${where} is missing required configuration key '${key}'. CodeStarSourceConnection actions require ${REQUIRED_KEYS.join(', ')}.`;
    }
  }
  const unknown = Object.keys(configuration).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) {
    return `Action configuration for ${where} contains unknown configuration key(s) ${unknown.map((key) => `'${key}'`).join(', ')}. Allowed keys: ${[...KNOWN_KEYS].join(', ')}.`;
  }
  const format = configuration.OutputArtifactFormat;
  if (format !== undefined && !OUTPUT_ARTIFACT_FORMATS.includes(format)) {
    return `Action configuration for ${where} has OutputArtifactFormat '${format}'; it must be one of ${OUTPUT_ARTIFACT_FORMATS.join(', ')}.`;
  }
  const detectChanges = configuration.DetectChanges;
  if (detectChanges !== undefined && !DETECT_CHANGES_VALUES.includes(detectChanges)) {
    return `Action configuration for ${where} has DetectChanges '${detectChanges}'; it must be 'true' or 'false'.`;
  }
  if (!parseConnectionArn(configuration.ConnectionArn!)) {
    return `Action configuration for ${where} has ConnectionArn '${configuration.ConnectionArn}', which is not a connection ARN (arn:aws:codestar-connections:<region>:<account>:connection/<id> or arn:aws:codeconnections:...).`;
  }
  return undefined;
}
