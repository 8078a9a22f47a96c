import { resolveCloudFormationValue, type LocalResourceNames } from '../cloudformation-values.ts';
import type { CloudFormationTemplate } from './local-package.ts';

/**
 * The roles in the packaged template, as IAM would hold them once deployed: each function's role
 * and each state machine's, with their policy documents resolved to this account and Region.
 */
export interface TemplateRole {
  logicalId: string;
  roleName: string;
  policies: unknown[];
}

/** A function's (`AWS::Lambda::Function`) or state machine's role, by the resource's logical id. */
export function rolesByResource(template: CloudFormationTemplate, names: LocalResourceNames): Map<string, TemplateRole> {
  const result = new Map<string, TemplateRole>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function' && resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const roleReference = resource.Type === 'AWS::Lambda::Function' ? resource.Properties?.Role : resource.Properties?.RoleArn;
    const roleLogicalId = roleLogicalIdOf(roleReference);
    if (!roleLogicalId) throw new Error(`${logicalId}: its role is not a role of the template (${JSON.stringify(roleReference)})`);
    const role = template.Resources[roleLogicalId];
    if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${logicalId}: ${roleLogicalId} is not an AWS::IAM::Role`);
    result.set(logicalId, roleOf(roleLogicalId, role.Properties ?? {}, names));
  }
  return result;
}

function roleLogicalIdOf(reference: unknown): string | undefined {
  if (typeof reference !== 'object' || reference === null) return undefined;
  const getAtt = (reference as Record<string, unknown>)['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn') return String(getAtt[0]);
  if (typeof getAtt === 'string' && getAtt.endsWith('.Arn')) return getAtt.slice(0, -'.Arn'.length);
  return undefined;
}

function roleOf(logicalId: string, properties: Record<string, unknown>, names: LocalResourceNames): TemplateRole {
  const roleName = properties.RoleName === undefined ? logicalId : resolveCloudFormationValue(properties.RoleName, names);
  const inline = ((properties.Policies ?? []) as { PolicyDocument: unknown }[]).map((policy) => resolveDeep(policy.PolicyDocument, names));
  if (((properties.ManagedPolicyArns ?? []) as unknown[]).length > 0) {
    // None of ours has one; a managed policy's document is not in the template, so it could not be honoured.
    throw new Error(`${logicalId}: managed policies are not modelled locally (${JSON.stringify(properties.ManagedPolicyArns)})`);
  }
  return { logicalId, roleName, policies: inline };
}

/** Resolves every intrinsic inside a policy document (`Resource: {Fn::Join: …}`, `{Fn::GetAtt: …}`, …). */
export function resolveDeep(value: unknown, names: LocalResourceNames): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveDeep(item, names));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1 && (entries[0]![0] === 'Ref' || entries[0]![0].startsWith('Fn::'))) return resolveCloudFormationValue(value, names);
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveDeep(item, names)]));
}
