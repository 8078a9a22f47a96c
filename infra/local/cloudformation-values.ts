/**
 * Resolves the CloudFormation values serverless.yml hands the functions and the state machine
 * (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`) to what they are in the local system.
 */
export interface LocalResourceNames {
  accountId: string;
  region: string;
  /** Logical id → what `Ref` gives (a table name, a state machine ARN, ...). */
  refs: Record<string, string>;
  /** `LogicalId.Attribute` → what `Fn::GetAtt` gives (function ARNs, table ARNs, ...). */
  attributes: Record<string, string>;
}

export function resolveCloudFormationValue(value: unknown, names: LocalResourceNames): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'object' || value === null) throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length !== 1) throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  const [intrinsic, argument] = entries[0]!;
  switch (intrinsic) {
    case 'Ref':
      return refOf(String(argument), names);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = Array.isArray(argument) ? argument.map(String) : String(argument).split('.');
      const resolved = names.attributes[`${logicalId}.${attribute}`];
      if (resolved === undefined) throw new Error(`no local value for Fn::GetAtt ${logicalId}.${attribute}`);
      return resolved;
    }
    case 'Fn::Join': {
      const [separator, parts] = argument as [string, unknown[]];
      return parts.map((part) => resolveCloudFormationValue(part, names)).join(separator);
    }
    case 'Fn::Sub': {
      const template = Array.isArray(argument) ? String(argument[0]) : String(argument);
      const variables = Array.isArray(argument) ? ((argument[1] ?? {}) as Record<string, unknown>) : {};
      return template.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
        name in variables ? resolveCloudFormationValue(variables[name], names) : name.includes('.') ? resolveCloudFormationValue({ 'Fn::GetAtt': name.split('.') }, names) : refOf(name, names),
      );
    }
    default:
      throw new Error(`the local runtime does not resolve ${intrinsic}`);
  }
}

function refOf(name: string, names: LocalResourceNames): string {
  switch (name) {
    case 'AWS::AccountId':
      return names.accountId;
    case 'AWS::Region':
      return names.region;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    default: {
      const resolved = names.refs[name];
      if (resolved === undefined) throw new Error(`no local value for Ref ${name}`);
      return resolved;
    }
  }
}
