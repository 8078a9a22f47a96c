import type { ConditionContext } from './policy-evaluation.ts';

/**
 * What IAM evaluates for each operation the product (and its tests) call: the action, the resource
 * ARN and the request's condition keys. Sources, per service, the Service Authorization Reference
 * (SAR), docs.aws.amazon.com/service-authorization/latest/reference/:
 * - list_awscodestarconnections / list_awscodeconnections (hosts `host/{HostId}`, connections
 *   `connection/{ConnectionId}`; Create* and List* name no resource; CreateHost/CreateConnection
 *   support aws:RequestTag/${TagKey}, aws:TagKeys and ProviderType (CreateHost also VpcId); a host with
 *   a VPC needs the ten EC2 network-interface, VPC-endpoint and Describe actions the Developer Tools
 *   console guide lists for the user who creates it ("Troubleshooting connections"); resources
 *   support aws:ResourceTag/${TagKey}). Which action prefix IAM evaluates for a resource of the other
 *   prefix is not documented: the SAR's operations table lists both prefixes' actions for every call,
 *   and the Developer Tools console guide ("Service name change") says "the service prefix needs to
 *   match that of the resource". The twin requires both, the endpoint's and the resource ARN's, so a
 *   role that passes here passes on AWS under either reading. Calls that name no resource (Create*,
 *   List*) are authorised under the endpoint's prefix.
 *   Git sync, from the same pages (Actions table and "API operations" table): CreateRepositoryLink acts
 *   on the connection (Connection*) and also needs PassConnection and UseConnection on it;
 *   Get/Update/DeleteRepositoryLink act on the link (`repository-link/{RepositoryLinkId}`),
 *   UpdateRepositoryLink with a ConnectionArn also PassConnection and UseConnection on that
 *   connection; CreateSyncConfiguration acts on the link (with `{prefix}:Branch`) and needs
 *   PassRepository on it and iam:PassRole on RoleArn with iam:PassedToService
 *   `cloudformation.sync.codeconnections.amazonaws.com`; UpdateSyncConfiguration names no resource
 *   (`{prefix}:Branch`) and needs PassRepository (on the link it names) and iam:PassRole (on the role
 *   it names) when it changes them; GetRepositorySyncStatus acts on the link (`{prefix}:Branch`);
 *   ListRepositoryLinks, Get/List/DeleteSyncConfiguration, ListRepositorySyncDefinitions,
 *   GetResourceSyncStatus, GetSyncBlockerSummary and UpdateSyncBlocker name no resource. The value of
 *   `{prefix}:PassedToService` for PassConnection and PassRepository in these calls is not
 *   documented, so it is left out of the context (a grant that requires it is not counted: stricter,
 *   never more lenient). The "API operations" table also lists TagResource for CreateRepositoryLink;
 *   as for CreateHost and CreateConnection, it is not required here.
 * - list_awscodepipeline (pipeline `arn:…:codepipeline:{Region}:{Account}:{PipelineName}`, stage
 *   `…:{PipelineName}/{StageName}`; UpdatePipeline and CreatePipeline pass the pipeline's roles
 *   (iam:PassRole, iam:PassedToService) and the source actions' connections (PassConnection,
 *   PassedToService), CodePipeline User Guide "connections-permissions"; RetryStageExecution is
 *   authorised on the stage).
 * - list_awsidentityandaccessmanagementiam (role `arn:aws:iam::{Account}:role/{RoleNameWithPath}`;
 *   the role's tags are its aws:ResourceTag/${TagKey}; TagRole supports aws:RequestTag/${TagKey} and
 *   aws:TagKeys, UntagRole aws:TagKeys; UpdateAssumeRolePolicy acts on the role).
 * - list_awsstepfunctions (StartExecution on the state machine, Stop/DescribeExecution on the
 *   execution, SendTask* name no resource: the task token is the capability).
 * - list_amazondynamodb (table `table/{TableName}`, a Query on an index `table/{TableName}/index/{IndexName}`).
 * - list_awscodebuild (project `arn:aws:codebuild:{Region}:{Account}:project/{ProjectName}`).
 * - list_awslambda (InvokeFunction on the function ARN; the state machine's role invokes its tasks).
 * - list_awsresourceaccessmanagerram (resource share `arn:…:ram:{Region}:{Account}:resource-share/{ResourcePath}`;
 *   Associate/Disassociate/DeleteResourceShare act on the share, CreateResourceShare and the
 *   Get/List reads name no resource; CreateResourceShare with tags also needs ram:TagResource and
 *   supports aws:RequestTag/${TagKey}, aws:TagKeys, ram:RequestedResourceType, ram:ResourceArn and
 *   ram:Principal). Which CodeConnections action, if any, the sharer needs besides is not documented.
 * - list_awssecuritytokenservice (AssumeRole on the role `arn:aws:iam::{Account}:role/{RoleNameWithPath}`
 *   named by RoleArn; GetCallerIdentity needs no permission, API reference: "No permissions are
 *   required to perform this operation", so it has no requirement at all).
 * - list_awscloudformation (stack `arn:${Partition}:cloudformation:${Region}:${Account}:stack/${StackName}/${Id}`):
 *   DescribeStacks with a StackName acts on that stack; a name does not say the stack's id, so the
 *   resource is `stack/{StackName}/*` (the resource AWS names in its refusals), and a StackId (the
 *   stack's ARN) is the resource itself. Without a StackName it names no resource (`*`), and the API
 *   Reference (DescribeStacks, StackName) says that "requires ListStacks and DescribeStacks
 *   permissions": both are required.
 * An operation missing here is authorised as `<prefix>:<Operation>` on `*`.
 */

export interface Requirement {
  action: string;
  resource: string;
  context: ConditionContext;
}

export interface CallFacts {
  /** The endpoint namespace the call came through: also the IAM action prefix. */
  endpoint: string;
  operation: string;
  accountId: string;
  region: string;
  input: Record<string, unknown>;
  /** What the sandbox knows about resources, for ARNs and aws:ResourceTag. */
  facts: ResourceFacts;
}

export interface ResourceFacts {
  /** The tags of a host or connection, by ARN (undefined: no such resource). */
  resourceTags(arn: string): Record<string, string> | undefined;
  /** A role's ARN with its path, by name (undefined: no such role; the ARN then has no path). */
  roleArn(accountId: string, roleName: string): string | undefined;
  /** Whether the host with this ARN has a VPC configuration (undefined: no such host). */
  hostHasVpc(arn: string): boolean | undefined;
  /** A repository link's ARN (with the prefix it was created with), by id (undefined: no such link). */
  repositoryLinkArn?(accountId: string, region: string, repositoryLinkId: string): string | undefined;
}

type Rule = (call: CallFacts) => Requirement[];

/** The EC2 actions CodeConnections performs with the caller's permissions to set up a host's VPC endpoint. */
export const VPC_HOST_EC2_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:CreateTags',
  'ec2:DescribeDhcpOptions',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:DescribeVpcs',
  'ec2:CreateVpcEndpoint',
  'ec2:DeleteVpcEndpoints',
  'ec2:DescribeVpcEndpoints',
];

/** Deleting a VPC host removes its network interfaces and VPC endpoint, again as the caller. */
export const VPC_HOST_EC2_DELETE_ACTIONS = ['ec2:DeleteNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteVpcEndpoints', 'ec2:DescribeVpcEndpoints'];

export function requirementsFor(call: CallFacts): Requirement[] {
  const rule = RULES[serviceOf(call.endpoint)]?.[call.operation];
  if (rule) return rule(call);
  return [{ action: `${call.endpoint}:${call.operation}`, resource: '*', context: {} }];
}

function serviceOf(endpoint: string): string {
  return endpoint === 'codeconnections' ? 'codestar-connections' : endpoint;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function requestTags(tags: unknown): ConditionContext {
  const entries = list(tags).map((tag) => tag as { Key?: unknown; Value?: unknown; key?: unknown; value?: unknown });
  const context: ConditionContext = {};
  const keys: string[] = [];
  for (const tag of entries) {
    const key = str(tag.Key ?? tag.key);
    context[`aws:RequestTag/${key}`] = str(tag.Value ?? tag.value);
    keys.push(key);
  }
  if (keys.length > 0) context['aws:TagKeys'] = keys;
  return context;
}

function resourceTags(call: CallFacts, arn: string): ConditionContext {
  const tags = call.facts.resourceTags(arn) ?? {};
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]));
}

/** One requirement: the endpoint's action on a resource, with the resource's tags in the context. */
function on(call: CallFacts, arn: string, extra: ConditionContext = {}): Requirement {
  return { action: `${call.endpoint}:${call.operation}`, resource: arn, context: { ...resourceTags(call, arn), ...extra } };
}

function anyResource(call: CallFacts, context: ConditionContext = {}): Requirement {
  return { action: `${call.endpoint}:${call.operation}`, resource: '*', context };
}

const connections: Record<string, Rule> = {
  CreateHost: (call) => {
    const vpcId = str((call.input.VpcConfiguration as { VpcId?: unknown } | undefined)?.VpcId);
    const requirements = [
      anyResource(call, {
        ...requestTags(call.input.Tags),
        [`${call.endpoint}:ProviderType`]: str(call.input.ProviderType),
        ...(vpcId ? { [`${call.endpoint}:VpcId`]: vpcId } : {}),
      }),
    ];
    if (call.input.VpcConfiguration !== undefined) {
      requirements.push(...VPC_HOST_EC2_ACTIONS.map((action) => ({ action, resource: '*', context: {} })));
    }
    return requirements;
  },
  CreateConnection: (call) => [
    anyResource(call, {
      ...requestTags(call.input.Tags),
      ...(str(call.input.ProviderType) ? { [`${call.endpoint}:ProviderType`]: str(call.input.ProviderType) } : {}),
      ...(str(call.input.HostArn) ? { [`${call.endpoint}:HostArn`]: str(call.input.HostArn) } : {}),
    }),
  ],
  ListHosts: (call) => [anyResource(call)],
  ListConnections: (call) => [
    anyResource(call, {
      ...(str(call.input.ProviderTypeFilter) ? { [`${call.endpoint}:ProviderTypeFilter`]: str(call.input.ProviderTypeFilter) } : {}),
      ...(str(call.input.HostArnFilter) ? { [`${call.endpoint}:HostArnFilter`]: str(call.input.HostArnFilter) } : {}),
    }),
  ],
  GetHost: (call) => onConnectionsResource(call, str(call.input.HostArn)),
  DeleteHost: (call) => {
    const requirements = onConnectionsResource(call, str(call.input.HostArn));
    if (call.facts.hostHasVpc(str(call.input.HostArn))) {
      requirements.push(...VPC_HOST_EC2_DELETE_ACTIONS.map((action) => ({ action, resource: '*', context: {} })));
    }
    return requirements;
  },
  UpdateHost: (call) => {
    const requirements = onConnectionsResource(call, str(call.input.HostArn));
    if (call.input.VpcConfiguration !== undefined) {
      requirements.push(...VPC_HOST_EC2_ACTIONS.map((action) => ({ action, resource: '*', context: {} })));
    }
    return requirements;
  },
  GetConnection: (call) => onConnectionsResource(call, str(call.input.ConnectionArn)),
  DeleteConnection: (call) => onConnectionsResource(call, str(call.input.ConnectionArn)),
  ListTagsForResource: (call) => onConnectionsResource(call, str(call.input.ResourceArn)),
  TagResource: (call) => onConnectionsResource(call, str(call.input.ResourceArn), requestTags(call.input.Tags)),
  UntagResource: (call) => {
    const keys = list(call.input.TagKeys).map(str);
    return onConnectionsResource(call, str(call.input.ResourceArn), keys.length > 0 ? { 'aws:TagKeys': keys } : {});
  },
  // Git sync (see the header).
  CreateRepositoryLink: (call) => {
    const connection = str(call.input.ConnectionArn);
    return [
      ...onConnectionsResource(call, connection, requestTags(call.input.Tags)),
      ...connectionsAction(call, 'PassConnection', connection),
      ...connectionsAction(call, 'UseConnection', connection),
    ];
  },
  GetRepositoryLink: (call) => onConnectionsResource(call, repositoryLinkArnOf(call)),
  DeleteRepositoryLink: (call) => onConnectionsResource(call, repositoryLinkArnOf(call)),
  UpdateRepositoryLink: (call) => {
    const requirements = onConnectionsResource(call, repositoryLinkArnOf(call));
    const connection = str(call.input.ConnectionArn);
    if (connection) requirements.push(...connectionsAction(call, 'PassConnection', connection), ...connectionsAction(call, 'UseConnection', connection));
    return requirements;
  },
  ListRepositoryLinks: (call) => [anyResource(call)],
  CreateSyncConfiguration: (call) => {
    const link = repositoryLinkArnOf(call);
    return [
      ...onConnectionsResource(call, link, {}, (prefix) => branchContext(call, prefix)),
      ...connectionsAction(call, 'PassRepository', link),
      passRoleToGitSync(call),
    ];
  },
  UpdateSyncConfiguration: (call) => {
    const requirements = [anyResource(call, branchContext(call, call.endpoint))];
    if (str(call.input.RepositoryLinkId)) requirements.push(...connectionsAction(call, 'PassRepository', repositoryLinkArnOf(call)));
    if (str(call.input.RoleArn)) requirements.push(passRoleToGitSync(call));
    return requirements;
  },
  GetSyncConfiguration: (call) => [anyResource(call)],
  ListSyncConfigurations: (call) => [anyResource(call)],
  DeleteSyncConfiguration: (call) => [anyResource(call)],
  ListRepositorySyncDefinitions: (call) => [anyResource(call)],
  GetRepositorySyncStatus: (call) => onConnectionsResource(call, repositoryLinkArnOf(call), {}, (prefix) => branchContext(call, prefix)),
  GetResourceSyncStatus: (call) => [anyResource(call)],
  GetSyncBlockerSummary: (call) => [anyResource(call)],
  UpdateSyncBlocker: (call) => [anyResource(call)],
};

const CONNECTIONS_ARN_PREFIX = /^arn:aws[a-z-]*:(codestar-connections|codeconnections):/;

/**
 * The operation under the endpoint's prefix and under the resource ARN's prefix (see the header).
 * `perPrefix` adds the context keys that carry the action's prefix (`{prefix}:Branch`).
 */
function onConnectionsResource(
  call: CallFacts,
  arn: string,
  extra: ConditionContext = {},
  perPrefix: (prefix: string) => ConditionContext = () => ({}),
): Requirement[] {
  const prefixes = new Set([call.endpoint, CONNECTIONS_ARN_PREFIX.exec(arn)?.[1] ?? call.endpoint]);
  return [...prefixes].map((prefix) => ({ ...on(call, arn, { ...extra, ...perPrefix(prefix) }), action: `${prefix}:${call.operation}` }));
}

/** Another action of the service on a resource (PassConnection, UseConnection, PassRepository), under both prefixes as above. */
function connectionsAction(call: CallFacts, action: string, arn: string): Requirement[] {
  return onConnectionsResource({ ...call, operation: action }, arn);
}

/** The repository link RepositoryLinkId names: its stored ARN, or the ARN it would have through this endpoint. */
function repositoryLinkArnOf(call: CallFacts): string {
  const id = str(call.input.RepositoryLinkId);
  return (
    call.facts.repositoryLinkArn?.(call.accountId, call.region, id) ??
    `arn:${partitionOf(call.region)}:${call.endpoint}:${call.region}:${call.accountId}:repository-link/${id}`
  );
}

/** `{prefix}:Branch`: the branch the request names (Create/UpdateSyncConfiguration, GetRepositorySyncStatus). */
function branchContext(call: CallFacts, prefix: string): ConditionContext {
  return str(call.input.Branch) ? { [`${prefix}:Branch`]: str(call.input.Branch) } : {};
}

/** The principal Git sync assumes the role as (the SAR's iam:PassedToService value for these calls). */
const GIT_SYNC_SERVICE = 'cloudformation.sync.codeconnections.amazonaws.com';

function passRoleToGitSync(call: CallFacts): Requirement {
  const role = str(call.input.RoleArn);
  return { action: 'iam:PassRole', resource: role, context: { ...resourceTags(call, role), 'iam:PassedToService': GIT_SYNC_SERVICE } };
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

const pipelineArn = (call: CallFacts, name: string) => `arn:aws:codepipeline:${call.region}:${call.accountId}:${name}`;

/** The roles and connections a pipeline declaration hands to CodePipeline. */
function passedByDeclaration(call: CallFacts, pipeline: Record<string, unknown>): Requirement[] {
  const requirements: Requirement[] = [];
  const roles = new Set<string>();
  if (str(pipeline.roleArn)) roles.add(str(pipeline.roleArn));
  for (const stage of list(pipeline.stages)) {
    for (const action of list((stage as { actions?: unknown }).actions)) {
      const declaration = action as { roleArn?: unknown; actionTypeId?: { provider?: unknown }; configuration?: Record<string, unknown> };
      if (str(declaration.roleArn)) roles.add(str(declaration.roleArn));
      const connectionArn = str(declaration.configuration?.ConnectionArn);
      if (declaration.actionTypeId?.provider === 'CodeStarSourceConnection' && connectionArn) {
        // The SAR lists codestar-connections:PassConnection for Create/UpdatePipeline; a codeconnections
        // ARN also needs its own prefix's (see the header).
        const prefixes = new Set(['codestar-connections', CONNECTIONS_ARN_PREFIX.exec(connectionArn)?.[1] ?? 'codestar-connections']);
        for (const prefix of prefixes) {
          requirements.push({
            action: `${prefix}:PassConnection`,
            resource: connectionArn,
            context: { ...resourceTags(call, connectionArn), [`${prefix}:PassedToService`]: 'codepipeline.amazonaws.com' },
          });
        }
      }
    }
  }
  for (const role of roles) {
    requirements.push({ action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': 'codepipeline.amazonaws.com' } });
  }
  return requirements;
}

const codepipeline: Record<string, Rule> = {
  ListPipelines: (call) => [anyResource(call)],
  GetPipeline: (call) => [on(call, pipelineArn(call, str(call.input.name)))],
  GetPipelineState: (call) => [on(call, pipelineArn(call, str(call.input.name)))],
  StartPipelineExecution: (call) => [on(call, pipelineArn(call, str(call.input.name)))],
  ListPipelineExecutions: (call) => [on(call, pipelineArn(call, str(call.input.pipelineName)))],
  GetPipelineExecution: (call) => [on(call, pipelineArn(call, str(call.input.pipelineName)))],
  ListActionExecutions: (call) => [on(call, pipelineArn(call, str(call.input.pipelineName)))],
  RetryStageExecution: (call) => [on(call, `${pipelineArn(call, str(call.input.pipelineName))}/${str(call.input.stageName)}`)],
  UpdatePipeline: (call) => {
    const pipeline = (call.input.pipeline ?? {}) as Record<string, unknown>;
    return [on(call, pipelineArn(call, str(pipeline.name))), ...passedByDeclaration(call, pipeline)];
  },
  CreatePipeline: (call) => {
    const pipeline = (call.input.pipeline ?? {}) as Record<string, unknown>;
    return [on(call, pipelineArn(call, str(pipeline.name)), requestTags(call.input.tags)), ...passedByDeclaration(call, pipeline)];
  },
};

const roleArnOf = (call: CallFacts, roleName: unknown) =>
  call.facts.roleArn(call.accountId, str(roleName)) ?? `arn:aws:iam::${call.accountId}:role/${str(roleName)}`;

const iam: Record<string, Rule> = {
  GetRole: (call) => [on(call, roleArnOf(call, call.input.RoleName))],
  PutRolePolicy: (call) => [on(call, roleArnOf(call, call.input.RoleName))],
  DeleteRolePolicy: (call) => [on(call, roleArnOf(call, call.input.RoleName))],
  GetRolePolicy: (call) => [on(call, roleArnOf(call, call.input.RoleName))],
  ListRolePolicies: (call) => [on(call, roleArnOf(call, call.input.RoleName))],
  ListAttachedRolePolicies: (call) => [on(call, roleArnOf(call, call.input.RoleName))],
  DeleteRole: (call) => [on(call, roleArnOf(call, call.input.RoleName))],
  CreateRole: (call) => {
    const path = str(call.input.Path) || '/';
    return [on(call, `arn:aws:iam::${call.accountId}:role${path}${str(call.input.RoleName)}`, requestTags(call.input.Tags))];
  },
  ListRoles: (call) => [anyResource(call)],
  ListRoleTags: (call) => [on(call, roleArnOf(call, call.input.RoleName))],
  UpdateAssumeRolePolicy: (call) => [on(call, roleArnOf(call, call.input.RoleName))],
  TagRole: (call) => [on(call, roleArnOf(call, call.input.RoleName), requestTags(call.input.Tags))],
  UntagRole: (call) => {
    const keys = list(call.input.TagKeys).map(str);
    return [on(call, roleArnOf(call, call.input.RoleName), keys.length > 0 ? { 'aws:TagKeys': keys } : {})];
  },
};

const codebuild: Record<string, Rule> = {
  BatchGetProjects: (call) =>
    list(call.input.names).map((name) => {
      const value = str(name);
      return on(call, value.startsWith('arn:') ? value : `arn:aws:codebuild:${call.region}:${call.accountId}:project/${value}`);
    }),
  // The SAR names no resource for ListProjects: only '*' grants it.
  ListProjects: (call) => [anyResource(call)],
};

const states: Record<string, Rule> = {
  StartExecution: (call) => [on(call, str(call.input.stateMachineArn))],
  StartSyncExecution: (call) => [on(call, str(call.input.stateMachineArn))],
  DescribeStateMachine: (call) => [on(call, str(call.input.stateMachineArn))],
  ListExecutions: (call) => [on(call, str(call.input.stateMachineArn))],
  StopExecution: (call) => [on(call, str(call.input.executionArn))],
  DescribeExecution: (call) => [on(call, str(call.input.executionArn))],
  GetExecutionHistory: (call) => [on(call, str(call.input.executionArn))],
  SendTaskSuccess: (call) => [anyResource(call)],
  SendTaskFailure: (call) => [anyResource(call)],
  SendTaskHeartbeat: (call) => [anyResource(call)],
  ListStateMachines: (call) => [anyResource(call)],
};

const tableArn = (call: CallFacts, table: unknown) => `arn:aws:dynamodb:${call.region}:${call.accountId}:table/${str(table)}`;
const onTable = (call: CallFacts): Requirement[] => [on(call, tableArn(call, call.input.TableName))];
const onTableOrIndex = (call: CallFacts): Requirement[] => [
  on(call, call.input.IndexName ? `${tableArn(call, call.input.TableName)}/index/${str(call.input.IndexName)}` : tableArn(call, call.input.TableName)),
];
const onEachTable = (call: CallFacts): Requirement[] => Object.keys((call.input.RequestItems ?? {}) as object).map((table) => on(call, tableArn(call, table)));

const dynamodb: Record<string, Rule> = {
  GetItem: onTable,
  PutItem: onTable,
  UpdateItem: onTable,
  DeleteItem: onTable,
  DescribeTable: onTable,
  CreateTable: onTable,
  DeleteTable: onTable,
  UpdateTable: onTable,
  UpdateTimeToLive: onTable,
  DescribeTimeToLive: onTable,
  Query: onTableOrIndex,
  Scan: onTableOrIndex,
  BatchGetItem: onEachTable,
  BatchWriteItem: onEachTable,
  ListTables: (call) => [anyResource(call)],
};

const sts: Record<string, Rule> = {
  AssumeRole: (call) => [on(call, str(call.input.RoleArn))],
  GetCallerIdentity: () => [],
};

/** A stack ARN as given (a StackId), else the name's stack of any id in the caller's account and Region. */
const STACK_ARN = /^arn:aws[a-z-]*:cloudformation:/;
const stackArn = (call: CallFacts, stackName: string) =>
  STACK_ARN.test(stackName) ? stackName : `arn:${partitionOf(call.region)}:cloudformation:${call.region}:${call.accountId}:stack/${stackName}/*`;

const cloudformation: Record<string, Rule> = {
  DescribeStacks: (call) =>
    call.input.StackName === undefined
      ? [anyResource(call), { action: 'cloudformation:ListStacks', resource: '*', context: {} }]
      : [on(call, stackArn(call, str(call.input.StackName)))],
};

const shareArn = (call: CallFacts) => str(call.input.resourceShareArn);

/** RAM's request keys: the principals and resources a Create/AssociateResourceShare names. */
function sharingContext(call: CallFacts): ConditionContext {
  const principals = list(call.input.principals).map(str);
  const resources = list(call.input.resourceArns).map(str);
  return {
    ...(principals.length > 0 ? { 'ram:Principal': principals } : {}),
    ...(resources.length > 0 ? { 'ram:ResourceArn': resources } : {}),
    ...(resources.some((arn) => arn.includes(':codeconnections:')) ? { 'ram:RequestedResourceType': 'codeconnections:Connection' } : {}),
  };
}

const ram: Record<string, Rule> = {
  CreateResourceShare: (call) => {
    const tags = list(call.input.tags);
    const requirements = [anyResource(call, { ...requestTags(tags), ...sharingContext(call) })];
    if (tags.length > 0) requirements.push({ action: 'ram:TagResource', resource: '*', context: requestTags(tags) });
    return requirements;
  },
  AssociateResourceShare: (call) => [on(call, shareArn(call), sharingContext(call))],
  DisassociateResourceShare: (call) => [on(call, shareArn(call), sharingContext(call))],
  DeleteResourceShare: (call) => [on(call, shareArn(call))],
  GetResourceShares: (call) => [anyResource(call)],
  GetResourceShareAssociations: (call) => [anyResource(call)],
  ListResources: (call) => [anyResource(call)],
  ListPrincipals: (call) => [anyResource(call)],
};

const RULES: Record<string, Record<string, Rule>> = {
  'codestar-connections': connections,
  codepipeline,
  iam,
  codebuild,
  states,
  dynamodb,
  sts,
  ram,
  cloudformation,
};
