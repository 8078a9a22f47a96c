import type { ActionDeclaration, PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { actionsWithStages, isConnectionSourceAction, isSourceAction } from './declaration.ts';
import { connectionConfigurationProblem } from './source-connection.ts';
import { triggerProblem } from './triggers.ts';

/**
 * The structural rules CreatePipeline and UpdatePipeline enforce after model validation (CodePipeline
 * user guide, "Pipeline structure reference" and quotas). Pure: a declaration in, the first problem out.
 *
 * Which exception carries which rule: pipeline composition (stage count and order, artifact stores,
 * triggers) → InvalidStructureException; what one stage holds → InvalidStageDeclarationException;
 * what one action declares (artifacts, configuration, namespace, Region) → InvalidActionDeclarationException.
 */

export type StructureErrorCode = 'InvalidStructureException' | 'InvalidStageDeclarationException' | 'InvalidActionDeclarationException';

export interface StructureProblem {
  code: StructureErrorCode;
  message: string;
}

const MAX_STAGES = 50;
const MAX_ACTIONS_PER_STAGE = 50;
const MAX_ACTIONS_PER_PIPELINE = 500;

type Range = readonly [min: number, max: number];

/** Input and output artifact counts per action type, from the action reference pages. */
const SOURCE_ARTIFACTS = { inputs: [0, 0], outputs: [1, 1] } as const;
const ARTIFACT_COUNTS: Record<string, { inputs: Range; outputs: Range }> = {
  'Build/AWS/CodeBuild': { inputs: [1, 5], outputs: [0, 5] },
  'Test/AWS/CodeBuild': { inputs: [1, 5], outputs: [0, 5] },
  'Approval/AWS/Manual': { inputs: [0, 0], outputs: [0, 0] },
  'Deploy/AWS/S3': { inputs: [1, 1], outputs: [0, 0] },
  'Deploy/AWS/CodeDeploy': { inputs: [1, 1], outputs: [0, 0] },
  'Deploy/AWS/CloudFormation': { inputs: [0, 10], outputs: [0, 1] },
  'Invoke/AWS/Lambda': { inputs: [0, 5], outputs: [0, 5] },
};

const structure = (message: string): StructureProblem => ({ code: 'InvalidStructureException', message });
const stage = (message: string): StructureProblem => ({ code: 'InvalidStageDeclarationException', message });
const action = (message: string): StructureProblem => ({ code: 'InvalidActionDeclarationException', message });

/** The first structural problem of a (normalised) declaration for a pipeline in `region`, or undefined. */
export function findStructureProblem(declaration: PipelineDeclaration, region: string): StructureProblem | undefined {
  return (
    stageCountProblem(declaration) ??
    artifactStoreProblem(declaration, region) ??
    stageProblem(declaration) ??
    unavailableActionTypeProblem(declaration, region) ??
    sourcePlacementProblem(declaration) ??
    actionProblem(declaration, region) ??
    artifactFlowProblem(declaration) ??
    namespaceProblem(declaration) ??
    triggerProblem(declaration)
  );
}

function stageCountProblem(declaration: PipelineDeclaration): StructureProblem | undefined {
  const count = declaration.stages?.length ?? 0;
  if (count < 2) return structure(`A pipeline must have at least 2 stages; '${declaration.name}' declares ${count}.`);
  if (count > MAX_STAGES) return structure(`A pipeline can have at most ${MAX_STAGES} stages; '${declaration.name}' declares ${count}.`);
  const actions = actionsWithStages(declaration).length;
  if (actions > MAX_ACTIONS_PER_PIPELINE) {
    return structure(`A pipeline can have at most ${MAX_ACTIONS_PER_PIPELINE} actions; '${declaration.name}' declares ${actions}.`);
  }
  return undefined;
}

function artifactStoreProblem(declaration: PipelineDeclaration, region: string): StructureProblem | undefined {
  const stores = declaration.artifactStores;
  if (declaration.artifactStore && stores) {
    return structure('Pipeline declaration must contain either artifactStore or artifactStores, but not both.');
  }
  if (!declaration.artifactStore && !stores) {
    return structure('Pipeline declaration must contain either artifactStore or artifactStores.');
  }
  if (stores && !(region in stores)) {
    return structure(`artifactStores must include an artifact store for the pipeline's Region '${region}'; it has ${Object.keys(stores).join(', ') || 'none'}.`);
  }
  return undefined;
}

function stageProblem(declaration: PipelineDeclaration): StructureProblem | undefined {
  const seenStages = new Set<string>();
  for (const { name, actions = [] } of declaration.stages ?? []) {
    if (seenStages.has(name!)) return stage(`Stage names must be unique within a pipeline; '${name}' is used more than once.`);
    seenStages.add(name!);
    if (actions.length === 0) return stage(`Stage '${name}' must contain at least one action.`);
    if (actions.length > MAX_ACTIONS_PER_STAGE) {
      return stage(`Stage '${name}' has ${actions.length} actions; a stage can have at most ${MAX_ACTIONS_PER_STAGE}.`);
    }
    const seenActions = new Set<string>();
    for (const { name: actionName } of actions) {
      if (seenActions.has(actionName!)) {
        return stage(`Action names must be unique within a stage; '${actionName}' is used more than once in stage '${name}'.`);
      }
      seenActions.add(actionName!);
    }
  }
  return undefined;
}

function sourcePlacementProblem(declaration: PipelineDeclaration): StructureProblem | undefined {
  const [first, ...rest] = declaration.stages ?? [];
  if (!first?.actions?.every(isSourceAction)) {
    return structure(`Pipeline should start with a stage that only contains source actions; stage '${first?.name}' contains non-source actions.`);
  }
  for (const later of rest) {
    const misplaced = later.actions?.find(isSourceAction);
    if (misplaced) {
      return structure(`Source actions can only be in the first stage; stage '${later.name}' contains source action '${misplaced.name}'.`);
    }
  }
  return undefined;
}

function actionProblem(declaration: PipelineDeclaration, region: string): StructureProblem | undefined {
  for (const { stageName, action: declared } of actionsWithStages(declaration)) {
    const problem =
      artifactCountProblem(declared, stageName) ??
      configurationProblem(declared, stageName) ??
      regionProblem(declaration, declared, stageName, region);
    if (problem) return problem;
  }
  return undefined;
}

function artifactCountProblem(declared: ActionDeclaration, stageName: string): StructureProblem | undefined {
  const type = declared.actionTypeId!;
  const rule = isSourceAction(declared) ? SOURCE_ARTIFACTS : ARTIFACT_COUNTS[`${type.category}/${type.owner}/${type.provider}`];
  if (!rule) return undefined;
  const typeName = `${type.owner}/${type.provider}`;
  const inputs = declared.inputArtifacts?.length ?? 0;
  const outputs = declared.outputArtifacts?.length ?? 0;
  if (inputs < rule.inputs[0] || inputs > rule.inputs[1]) {
    return action(`Action '${declared.name}' in stage '${stageName}' declares ${inputs} input artifacts; ${typeName} ${type.category} actions take ${describeRange(rule.inputs)}.`);
  }
  if (outputs < rule.outputs[0] || outputs > rule.outputs[1]) {
    return action(`Action '${declared.name}' in stage '${stageName}' declares ${outputs} output artifacts; ${typeName} ${type.category} actions produce ${describeRange(rule.outputs)}.`);
  }
  return undefined;
}

function describeRange([min, max]: Range): string {
  return min === max ? `exactly ${min}` : `${min} to ${max}`;
}

function configurationProblem(declared: ActionDeclaration, stageName: string): StructureProblem | undefined {
  const message = isConnectionSourceAction(declared) ? connectionConfigurationProblem(declared, stageName) : undefined;
  return message === undefined ? undefined : action(message);
}

/**
 * The action types a pipeline may declare, as `Category/Owner/Provider` (all at Version '1'): AWS's
 * own providers from the CodePipeline action structure reference, and the GitHub (version 1) OAuth
 * source. Custom action types would need CreateCustomActionType, which the sandbox does not offer,
 * so none exists; partner (ThirdParty) actions other than GitHub are not modeled.
 */
export const AVAILABLE_ACTION_TYPES: ReadonlySet<string> = new Set([
  'Source/AWS/S3',
  'Source/AWS/ECR',
  'Source/AWS/CodeCommit',
  'Source/AWS/CodeStarSourceConnection',
  'Source/ThirdParty/GitHub',
  'Build/AWS/CodeBuild',
  'Build/AWS/ECRBuildAndPublish',
  'Test/AWS/CodeBuild',
  'Test/AWS/DeviceFarm',
  'Deploy/AWS/S3',
  'Deploy/AWS/CloudFormation',
  'Deploy/AWS/CloudFormationStackSet',
  'Deploy/AWS/CloudFormationStackInstances',
  'Deploy/AWS/CodeDeploy',
  'Deploy/AWS/CodeDeployToECS',
  'Deploy/AWS/ECS',
  'Deploy/AWS/EKS',
  'Deploy/AWS/EC2',
  'Deploy/AWS/ElasticBeanstalk',
  'Deploy/AWS/AppConfig',
  'Deploy/AWS/OpsWorks',
  'Deploy/AWS/ServiceCatalog',
  'Deploy/AWS/AlexaSkillsKit',
  'Deploy/AWS/Lambda',
  'Approval/AWS/Manual',
  'Invoke/AWS/Lambda',
  'Invoke/AWS/StepFunctions',
  'Invoke/AWS/InspectorScan',
  'Compute/AWS/Commands',
]);
const AVAILABLE_VERSION = '1';

/**
 * Action types that do not exist (an unknown provider, a provider in a category or version it does not
 * have), checked before where actions sit: an unknown type has no category to judge. AWS words it as
 * a type not available in the Region the action runs in.
 */
function unavailableActionTypeProblem(declaration: PipelineDeclaration, region: string): StructureProblem | undefined {
  for (const { action: declared } of actionsWithStages(declaration)) {
    const { category, owner, provider, version } = declared.actionTypeId!;
    if (version === AVAILABLE_VERSION && AVAILABLE_ACTION_TYPES.has(`${category}/${owner}/${provider}`)) continue;
    const message = `ActionType (Category: '${category}', Provider: '${provider}', Owner: '${owner}', Version: '${version}') in action '${declared.name}' is not available in region '${declared.region ?? region}'`;
    const homes = [...AVAILABLE_ACTION_TYPES].filter((key) => key.endsWith(`/${owner}/${provider}`)).map((key) => `'${key.split('/')[0]}'`);
    return action(
      homes.length === 0 ? message : `${message}. ${provider} exists only as Category ${homes.join(' or ')}, Version '${AVAILABLE_VERSION}'.`,
    );
  }
  return undefined;
}

function regionProblem(
  declaration: PipelineDeclaration,
  declared: ActionDeclaration,
  stageName: string,
  region: string,
): StructureProblem | undefined {
  if (declared.region === undefined || declared.region === region) return undefined;
  if (isSourceAction(declared)) {
    return action(`Source action '${declared.name}' in stage '${stageName}' cannot be cross-Region (it names Region '${declared.region}').`);
  }
  if (!declaration.artifactStores?.[declared.region]) {
    return structure(
      `Action '${declared.name}' in stage '${stageName}' runs in Region '${declared.region}', so artifactStores must include an artifact store for '${declared.region}'.`,
    );
  }
  return undefined;
}

/** Inputs must come from an earlier action: an earlier stage, or a lower runOrder in the same stage. */
function artifactFlowProblem(declaration: PipelineDeclaration): StructureProblem | undefined {
  const produced = new Set<string>();
  for (const { name: stageName, actions = [] } of declaration.stages ?? []) {
    const runOrders = [...new Set(actions.map((declared) => declared.runOrder ?? 1))].sort((a, b) => a - b);
    for (const runOrder of runOrders) {
      const group = actions.filter((declared) => (declared.runOrder ?? 1) === runOrder);
      for (const declared of group) {
        const missing = declared.inputArtifacts?.find(({ name }) => !produced.has(name!));
        if (missing) {
          return action(
            `Input artifact '${missing.name}' of action '${declared.name}' in stage '${stageName}' is not the output artifact of an earlier action.`,
          );
        }
      }
      for (const declared of group) {
        for (const { name } of declared.outputArtifacts ?? []) {
          if (produced.has(name!)) {
            return action(`Output artifact names must be unique within a pipeline; '${name}' (action '${declared.name}' in stage '${stageName}') is declared more than once.`);
          }
          produced.add(name!);
        }
      }
    }
  }
  return undefined;
}

function namespaceProblem(declaration: PipelineDeclaration): StructureProblem | undefined {
  const byNamespace = new Map<string, { stageName: string; actionName: string }[]>();
  for (const { stageName, action: declared } of actionsWithStages(declaration)) {
    if (declared.namespace === undefined) continue;
    byNamespace.set(declared.namespace, [...(byNamespace.get(declared.namespace) ?? []), { stageName, actionName: declared.name! }]);
  }
  const repeated = [...byNamespace.entries()].filter(([, users]) => users.length > 1);
  if (repeated.length === 0) return undefined;
  const details = repeated
    .flatMap(([namespace, users]) =>
      users.map(({ stageName, actionName }) => `StageName=[${stageName}], ActionName=[${actionName}], Namespace=[${namespace}]`),
    )
    .join('; ');
  return action(`Namespaces must be unique across the pipeline definition. The following occur more than once in the pipeline. ${details}`);
}
