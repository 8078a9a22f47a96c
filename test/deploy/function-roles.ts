import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { VPC_HOST_EC2_ACTIONS, VPC_HOST_EC2_DELETE_ACTIONS } from '../../infra/local/sandbox/authorization/catalogue.ts';
import type { CfnResource, CfnTemplate, PolicyStatement } from './template.ts';
import { asList, getAttTarget, lambdaFunctions, policyStatements, resourcesOfType } from './template.ts';

// Checks on each function's IAM role in the packaged template. package.test.ts calls
// describeFunctionRoles() with the template it packaged, so osls still runs once per test run.

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** `npm run package` packages stage dev: every function and role name starts with this. */
const NAME_PREFIX = 'connection-broker-dev-';

/**
 * Who may hold the permissions that change or expose something outside the broker (IAM
 * policies, hosts, connections, pipelines, the Slack secret, the workflow). Only the workflow's
 * rollBack undoes: cancel starts an execution that rolls back (functions/request/manage-request.ts),
 * so the API holds none of the rollback's permissions. The decommission machine's step undoes a
 * COMPLETED request the same way (DELETE /v1/connections/{id} starts it), and holds the same. A
 * replacement's step (replaceConnection) grants and repoints as the attach does, and starts the
 * old connection's decommission.
 */
const SENSITIVE_HOLDERS: Record<string, string[]> = {
  'iam:PutRolePolicy': ['attachPipeline', 'decommission', 'replaceConnection', 'rollBack'],
  'iam:DeleteRolePolicy': ['decommission', 'rollBack'],
  // Git sync: its role's trust, added by the attach and put back by a rollback or decommission.
  'iam:UpdateAssumeRolePolicy': ['attachPipeline', 'decommission', 'rollBack'],
  'iam:PassRole': ['attachPipeline', 'decommission', 'replaceConnection', 'rollBack'],
  'codestar-connections:PassConnection': ['attachPipeline', 'decommission', 'replaceConnection', 'rollBack'],
  'codeconnections:PassConnection': ['attachPipeline', 'decommission', 'replaceConnection', 'rollBack'],
  'codepipeline:UpdatePipeline': ['attachPipeline', 'decommission', 'replaceConnection', 'rollBack'],
  'codepipeline:StartPipelineExecution': ['firstRun', 'replaceConnection'],
  'codepipeline:RetryStageExecution': ['firstRun'],
  'codestar-connections:CreateHost': ['acquireHost'],
  'codestar-connections:UpdateHost': ['updateHost'],
  'codeconnections:UpdateHost': ['updateHost'],
  'codestar-connections:DeleteHost': ['decommission', 'rollBack'],
  'codeconnections:DeleteHost': ['decommission', 'rollBack'],
  'codestar-connections:CreateConnection': ['createConnection'],
  'codeconnections:CreateConnection': ['createConnection'],
  'codestar-connections:DeleteConnection': ['decommission', 'rollBack'],
  'codeconnections:DeleteConnection': ['decommission', 'rollBack'],
  'ec2:CreateNetworkInterface': ['acquireHost', 'updateHost'],
  'ec2:CreateVpcEndpoint': ['acquireHost', 'updateHost'],
  'ec2:DeleteVpcEndpoints': ['acquireHost', 'decommission', 'rollBack', 'updateHost'],
  'secretsmanager:GetSecretValue': ['api', 'auditor', 'awaitHostSetup', 'completeRequest', 'decommission', 'requestApproval', 'rollBack', 'slackInteractions', 'watcher'],
  // The auditor's schedule starts an audit as POST /v1/audits does.
  'states:StartExecution': ['api', 'auditApi', 'auditor', 'replaceConnection'],
  'states:StopExecution': ['api'],
  // Resuming or failing a wait: an approver's decision (API, Slack), "check now" (API, Slack), the watcher,
  // and a decommission's approval decided before its wait began (decommission).
  'states:SendTaskSuccess': ['api', 'decommission', 'requestApproval', 'slackInteractions', 'watcher'],
  'states:SendTaskFailure': ['api', 'decommission', 'requestApproval', 'slackInteractions', 'watcher'],
  // Ending a wait: the step after it (createConnection, verifyConnection), a resume (watcher, check now), the rollback;
  // completeRequest's idempotency record (Powertools deletes it when the step fails, so a retry runs again).
  'dynamodb:DeleteItem': ['api', 'auditApi', 'auditor', 'completeRequest', 'createConnection', 'decommission', 'rollBack', 'slackInteractions', 'updateHost', 'verifyConnection', 'watcher'],
};

/** What every function role has: its own log group, and X-Ray (tracing is on). */
const LOGS_AND_TRACES = ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

/** Actions without resource-level permissions: the only ones a function role may grant on '*'. */
const RESOURCE_STAR_ONLY = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'codestar-connections:ListHosts',
  'codestar-connections:ListConnections',
  'codeconnections:ListConnections',
  'codepipeline:ListPipelines',
  'codestar-connections:ListRepositoryLinks',
  'codeconnections:ListRepositoryLinks',
  'codebuild:ListProjects',
  // Git sync's sync configurations have no ARN: these name no resource (Service Authorization Reference).
  ...['GetResourceSyncStatus', 'GetSyncBlockerSummary', 'UpdateSyncBlocker', 'DeleteSyncConfiguration', 'ListSyncConfigurations', 'GetSyncConfiguration'].flatMap((action) => [
    `codestar-connections:${action}`,
    `codeconnections:${action}`,
  ]),
  // Create actions name no resource yet; the statement must carry a request-tag condition instead.
  'codestar-connections:CreateHost',
  'codestar-connections:CreateConnection',
  'codeconnections:CreateConnection',
  // What CodeConnections does in the VPC with the caller's permissions names nothing that exists before.
  ...VPC_HOST_EC2_ACTIONS,
  // Callback tokens are the capability; these cannot be scoped to a state machine.
  'states:SendTaskSuccess',
  'states:SendTaskFailure',
  // RAM's reads name no resource, and a new share (with its tags) does not exist yet.
  'ram:GetResourceShares',
  'ram:GetResourceShareAssociations',
  'ram:CreateResourceShare',
  'ram:TagResource',
]);

/** Granted for what a call does rather than to make it: no SDK command has these names. */
const PERMISSION_ONLY = new Set([
  ...LOGS_AND_TRACES,
  'iam:PassRole',
  'codestar-connections:PassConnection',
  'codeconnections:PassConnection',
  // Tags on CreateHost/CreateConnection, and on CreateResourceShare.
  'codestar-connections:TagResource',
  'codeconnections:TagResource',
  'ram:TagResource',
]);

/**
 * What CodeConnections does with the caller's own permissions when a call sends a command: a VPC
 * host's network interfaces and VPC endpoint (the same lists the sandbox enforces).
 */
const DEPENDENT_ACTIONS: Record<string, readonly string[]> = {
  'codestar-connections:CreateHost': VPC_HOST_EC2_ACTIONS,
  // A repository link passes and uses the connection; a sync configuration passes the link and its role (SAR: dependent actions).
  'codestar-connections:CreateRepositoryLink': ['codestar-connections:UseConnection', 'codeconnections:UseConnection', 'codestar-connections:PassConnection', 'codeconnections:PassConnection'],
  'codestar-connections:CreateSyncConfiguration': ['codestar-connections:PassRepository', 'codeconnections:PassRepository', 'iam:PassRole'],
  // New VPC settings make a new VPC endpoint and network interfaces, as CreateHost does.
  'codestar-connections:UpdateHost': VPC_HOST_EC2_ACTIONS,
  'codestar-connections:DeleteHost': VPC_HOST_EC2_DELETE_ACTIONS,
};

/**
 * The codestar-connections client's commands act on connections of either ARN prefix, and IAM
 * authorizes them under the prefix of the resource's ARN (the console creates codeconnections
 * ARNs since 2024-07): a role may hold the codeconnections twin of a command its bundle sends.
 */
function twinOf(action: string): string | undefined {
  return action.startsWith('codeconnections:') ? `codestar-connections:${action.slice('codeconnections:'.length)}` : undefined;
}

/** The IAM prefix of each AWS SDK client package the functions bundle. */
const IAM_PREFIX_OF_CLIENT: Record<string, string> = {
  'client-cloudformation': 'cloudformation',
  'client-codebuild': 'codebuild',
  'client-codepipeline': 'codepipeline',
  'client-codestar-connections': 'codestar-connections',
  'client-dynamodb': 'dynamodb',
  'client-iam': 'iam',
  'client-ram': 'ram',
  'client-secrets-manager': 'secretsmanager',
  'client-sfn': 'states',
};

/**
 * Commands a bundle carries but the function never sends. Their roles must not grant these.
 * watcher: it approves a handshake through decideApproval, whose GetConnection (for a click) is
 * skipped because the watcher has just listed the connection AVAILABLE (seenAvailable).
 */
const BUNDLED_NOT_SENT: Record<string, string[]> = {
  watcher: ['codestar-connections:GetConnection'],
  // The workflow context (workflow/context.ts) builds a spoke's clients when a step asks for them;
  // these steps work in the hub only (the table, Slack, RAM) and never do.
  awaitHostSetup: ['sts:AssumeRole'],
  requestApproval: ['sts:AssumeRole'],
  completeRequest: ['sts:AssumeRole'],
  shareConnection: ['sts:AssumeRole'],
};

export interface FunctionRole {
  /** The key under `functions:` in serverless.yml, e.g. `rollBack`. */
  name: string;
  logicalId: string;
  functionName: string;
  handler: string;
  roleId: string;
  role: CfnResource | undefined;
  statements: PolicyStatement[];
}

export function functionRoles(template: CfnTemplate): FunctionRole[] {
  return lambdaFunctions(template).map(([logicalId, properties]) => {
    const { FunctionName: functionName, Role: roleArn } = properties as unknown as { FunctionName: string; Role: unknown };
    const roleId = getAttTarget(roleArn) ?? `(not a GetAtt: ${JSON.stringify(roleArn)})`;
    const role = template.Resources[roleId];
    return {
      name: functionName.startsWith(NAME_PREFIX) ? functionName.slice(NAME_PREFIX.length) : functionName,
      logicalId,
      functionName,
      handler: properties.Handler,
      roleId,
      role,
      statements: policyStatements(role?.Properties?.Policies ?? []),
    };
  });
}

/** A CloudFormation value as text: `${AWS::Region}` for a Ref, `${X.Arn}` for a GetAtt; joins joined. */
export function renderValue(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = (value ?? {}) as Record<string, unknown>;
  if (typeof node.Ref === 'string') return `\${${node.Ref}}`;
  const getAtt = node['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return `\${${getAtt.join('.')}}`;
  const join = node['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) return (join[1] as unknown[]).map(renderValue).join(String(join[0]));
  const sub = node['Fn::Sub'];
  if (typeof sub === 'string') return sub;
  return JSON.stringify(value);
}

function resourcesOf(statement: PolicyStatement): string[] {
  return asList(statement.Resource as unknown).map(renderValue);
}

function allowedActions(role: FunctionRole): Set<string> {
  return new Set(role.statements.filter((statement) => statement.Effect === 'Allow').flatMap((statement) => asList(statement.Action)));
}

/** An IAM resource pattern (`*` and `?`) as a regular expression. */
function iamPattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/**
 * The IAM actions of the AWS SDK commands esbuild keeps in a handler's bundle, bundled as
 * custom.esbuild does (ESM, module before main) but not minified. Also lists the clients it
 * cannot map to an IAM prefix, and those bundled from their CommonJS build (one file, whose
 * commands cannot be told apart).
 */
async function bundledActions(handler: string): Promise<{ actions: Set<string>; unknownClients: string[]; opaqueClients: string[] }> {
  const entry = join(repoRoot, `${handler.slice(0, handler.lastIndexOf('.'))}.ts`);
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: repoRoot,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    outdir: join(repoRoot, '.esbuild', 'role-check'),
    logLevel: 'silent',
  });
  const kept = Object.values(result.metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  );
  const actions = new Set<string>();
  const unknownClients = new Set<string>();
  const opaqueClients = new Set<string>();
  // Every bundle carries the SDK's own STS commands (the default credential chain's), sent only
  // for profiles; a function sends sts:AssumeRole when it reaches spokes through target-clients.
  if (kept.some((path) => path.endsWith('functions/adapters/aws/target-clients.ts'))) actions.add('sts:AssumeRole');
  for (const path of kept) {
    const command = /@aws-sdk\/(client-[a-z0-9-]+)\/dist-es\/commands\/(\w+)Command\.js$/.exec(path);
    if (command) {
      const prefix = IAM_PREFIX_OF_CLIENT[command[1]!];
      if (prefix) actions.add(`${prefix}:${command[2]}`);
      else unknownClients.add(command[1]!);
    }
    const cjs = /@aws-sdk\/(client-[a-z0-9-]+)\/dist-cjs\//.exec(path);
    if (cjs) opaqueClients.add(cjs[1]!);
  }
  return { actions, unknownClients: [...unknownClients], opaqueClients: [...opaqueClients] };
}

export function describeFunctionRoles(packagedTemplate: () => CfnTemplate): void {
  describe('function roles', () => {
    let roles: FunctionRole[];
    let template: CfnTemplate;
    beforeAll(() => {
      template = packagedTemplate();
      roles = functionRoles(template);
    });

    it('gives every function a role of its own', () => {
      expect(roles.length).toBeGreaterThan(0);
      for (const role of roles) {
        expect(role.role?.Type, `${role.name}: ${role.roleId} is not an IAM role in the template`).toBe('AWS::IAM::Role');
        // The role osls makes for all functions stays in the template (the plugin copies it), unused.
        expect(role.roleId, `${role.name} runs as the shared role`).not.toBe('IamRoleLambdaExecution');
      }
      const roleIds = roles.map((role) => role.roleId);
      expect(new Set(roleIds).size, `roles shared between functions: ${roleIds.join(', ')}`).toBe(roles.length);
    });

    it('lets every function write its own log group and X-Ray traces', () => {
      for (const role of roles) {
        const allowed = allowedActions(role);
        for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords']) {
          expect(allowed.has(action), `${role.name} lacks ${action}`).toBe(true);
        }
        const logResources = role.statements
          .filter((statement) => asList(statement.Action).includes('logs:PutLogEvents'))
          .flatMap(resourcesOf);
        expect(logResources, `${role.name} log resources`).toEqual([
          `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${role.functionName}:*:*`,
        ]);
      }
    });

    it('gives the health probe nothing beyond logs and X-Ray', () => {
      const health = roles.find((role) => role.name === 'health');
      expect(health, 'the health function').toBeDefined();
      expect([...allowedActions(health!)].filter((action) => !LOGS_AND_TRACES.includes(action))).toEqual([]);
      expect(health!.statements.filter((statement) => statement.Effect !== 'Allow')).toEqual([]);
    });

    it('leaves the unused shared role with logs and X-Ray only', () => {
      const shared = template.Resources.IamRoleLambdaExecution;
      if (!shared) return;
      const actions = policyStatements(shared.Properties?.Policies ?? []).flatMap((statement) => asList(statement.Action));
      expect(actions.filter((action) => !LOGS_AND_TRACES.includes(action) && action !== 'logs:TagResource')).toEqual([]);
    });

    it.each(Object.entries(SENSITIVE_HOLDERS))('lets only the functions that need it hold %s', (action, holders) => {
      const holding = roles.filter((role) => allowedActions(role).has(action)).map((role) => role.name);
      expect(holding.sort()).toEqual([...holders].sort());
    });

    it("grants '*' resources only for actions without resource-level permissions", () => {
      const offending = roles.flatMap((role) =>
        role.statements
          .filter((statement) => statement.Effect === 'Allow' && resourcesOf(statement).includes('*'))
          .flatMap((statement) => asList(statement.Action).filter((action) => !RESOURCE_STAR_ONLY.has(action)))
          .map((action) => `${role.name}: ${action} on '*'`),
      );
      expect(offending).toEqual([]);
    });

    it('creates hosts and connections only when they are tagged as the broker\'s', () => {
      const creates = roles.flatMap((role) =>
        role.statements.filter(
          (statement) =>
            statement.Effect === 'Allow' &&
            asList(statement.Action).some((action) => action === 'codestar-connections:CreateHost' || action === 'codestar-connections:CreateConnection'),
        ),
      );
      expect(creates.length).toBeGreaterThan(0);
      for (const statement of creates) {
        expect(statement.Condition).toEqual({ StringEquals: { 'aws:RequestTag/managed-by': 'connection-broker' } });
      }
    });

    it('passes roles and connections to CodePipeline only, and to Git sync only what it documents', () => {
      const conditionKeys: Record<string, string> = {
        'iam:PassRole': 'iam:PassedToService',
        'codestar-connections:PassConnection': 'codestar-connections:PassedToService',
        'codeconnections:PassConnection': 'codeconnections:PassedToService',
      };
      // Git sync: iam:PassRole only to its service; PassConnection for a repository link names no
      // documented PassedToService, so it stands in a statement of its own (Sid GitSyncRepositoryLink)
      // that holds only the link's create and the connection's pass and use, on the broker's connections.
      const GIT_SYNC_LINK = ['codestar-connections:CreateRepositoryLink', 'codeconnections:CreateRepositoryLink', 'codestar-connections:PassConnection', 'codeconnections:PassConnection', 'codestar-connections:UseConnection', 'codeconnections:UseConnection'];
      for (const role of roles) {
        for (const statement of role.statements.filter((candidate) => candidate.Effect === 'Allow')) {
          if (statement.Sid === 'GitSyncRepositoryLink') {
            expect(role.name).toBe('attachPipeline');
            expect([...asList(statement.Action)].sort()).toEqual([...GIT_SYNC_LINK].sort());
            expect(statement.Condition).toBeUndefined();
            continue;
          }
          for (const action of asList(statement.Action).filter((candidate) => candidate in conditionKeys)) {
            expect(asList(statement.Action), `${role.name}: ${action} shares a statement`).toEqual([action]);
            const service = action === 'iam:PassRole' && role.name === 'attachPipeline' && JSON.stringify(statement.Condition).includes('cloudformation.sync') ? 'cloudformation.sync.codeconnections.amazonaws.com' : 'codepipeline.amazonaws.com';
            expect(statement.Condition, `${role.name}: ${action} condition`).toEqual({
              StringEquals: { [conditionKeys[action]!]: service },
            });
          }
        }
      }
    });

    it("never lets a function put or delete policies on the broker's own roles", () => {
      const brokerRoles = [
        ...roles.map((role) => renderValue(role.role?.Properties?.RoleName)),
        // Unnamed roles (the state machines'): CloudFormation names them <stack name>-<logical id>-<suffix>.
        ...resourcesOfType(template, 'AWS::IAM::Role')
          .filter(([, resource]) => resource.Properties?.RoleName === undefined)
          .map(([id]) => `${NAME_PREFIX}${id}-ABCDEF123456`),
      ];
      const policyWriters = roles.filter((role) => ['iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:UpdateAssumeRolePolicy'].some((action) => allowedActions(role).has(action)));
      expect(policyWriters.length).toBeGreaterThan(0);
      for (const role of policyWriters) {
        const denied = role.statements
          .filter((statement) => statement.Effect === 'Deny')
          .filter((statement) => ['iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:UpdateAssumeRolePolicy'].every((action) => asList(statement.Action).includes(action)))
          .flatMap(resourcesOf)
          .map((resource) => iamPattern(resource.replace(/^arn:\$\{AWS::Partition\}:iam::\$\{AWS::AccountId\}:role\//, '')));
        for (const roleName of brokerRoles) {
          expect(
            denied.some((pattern) => pattern.test(roleName.replace('${AWS::Region}', 'us-east-1'))),
            `${role.name} may put policies on ${roleName}`,
          ).toBe(true);
        }
      }
    });

    describe('against the AWS SDK commands in each bundle', () => {
      const bundles = new Map<string, Awaited<ReturnType<typeof bundledActions>>>();
      beforeAll(async () => {
        await Promise.all(roles.map(async (role) => bundles.set(role.name, await bundledActions(role.handler))));
      }, 120_000);

      it('can tell every bundled AWS SDK command apart', () => {
        for (const [name, bundle] of bundles) {
          expect(bundle.unknownClients, `${name}: AWS SDK clients missing from IAM_PREFIX_OF_CLIENT`).toEqual([]);
          expect(bundle.opaqueClients, `${name}: AWS SDK clients bundled from their CommonJS build`).toEqual([]);
        }
      });

      // DynamoDB goes through store classes, whose unused methods esbuild cannot drop: every
      // bundle that touches the table carries every item operation, so only the reverse check
      // below covers DynamoDB.
      it('grants every command a function can send', () => {
        const missing = roles.flatMap((role) => {
          const allowed = allowedActions(role);
          const notSent = BUNDLED_NOT_SENT[role.name] ?? [];
          return [...(bundles.get(role.name)?.actions ?? [])]
            .filter((action) => !action.startsWith('dynamodb:') && !notSent.includes(action) && !allowed.has(action))
            .map((action) => `${role.name}: ${action}`);
        });
        expect(missing).toEqual([]);
      });

      it('grants nothing a function cannot send', () => {
        const stale = roles.flatMap((role) => {
          const bundled = bundles.get(role.name)?.actions ?? new Set<string>();
          const notSent = BUNDLED_NOT_SENT[role.name] ?? [];
          const sent = (action: string) => bundled.has(action) && !notSent.includes(action);
          const dependent = new Set(Object.entries(DEPENDENT_ACTIONS).flatMap(([command, actions]) => (sent(command) ? actions : [])));
          return [...allowedActions(role)]
            .filter((action) => !PERMISSION_ONLY.has(action) && !dependent.has(action) && !sent(action) && !sent(twinOf(action) ?? action))
            .map((action) => `${role.name}: ${action}`);
        });
        expect(stale).toEqual([]);
      });
    });
  });
}
