import { readFileSync } from 'node:fs';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
}

export function readTemplate(path: string): CfnTemplate {
  return JSON.parse(readFileSync(path, 'utf8')) as CfnTemplate;
}

export function resourcesOfType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

export interface PolicyStatement {
  path: string;
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Every IAM policy statement anywhere in the template, wherever the policy is attached. */
export function policyStatements(node: unknown, path = 'Resources'): PolicyStatement[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => policyStatements(item, `${path}[${i}]`));
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) => {
    const here = `${path}.${key}`;
    if (key === 'Statement') {
      return (Array.isArray(value) ? value : [value]).map((statement: object, i) => ({
        ...statement,
        path: `${here}[${i}]`,
      }));
    }
    return policyStatements(value, here);
  });
}

export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export interface LambdaFunctionProperties {
  Handler: string;
  Runtime: string;
  Architectures?: string[];
  Code: { S3Key: string };
}

export function lambdaFunctions(template: CfnTemplate): Array<[string, LambdaFunctionProperties]> {
  return resourcesOfType(template, 'AWS::Lambda::Function').map(([id, resource]) => [
    id,
    resource.Properties as unknown as LambdaFunctionProperties,
  ]);
}

/** The logical id X of `{ "Fn::GetAtt": [X, attribute] }`, else undefined. */
export function getAttTarget(value: unknown, attribute = 'Arn'): string | undefined {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | null)?.['Fn::GetAtt'];
  return Array.isArray(getAtt) && getAtt[1] === attribute ? String(getAtt[0]) : undefined;
}
