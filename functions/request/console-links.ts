/**
 * Deep links into the AWS console for the pages where a human finishes what the API cannot: "Set
 * up host" (host page), "Update pending connection" (connection page), the pipeline, a role that
 * lacks a permission, and a workflow execution.
 *
 * URL formats (Developer Tools "codesuite" console):
 * - connection: `<console>/codesuite/settings/<account>/<region>/<service>/connections/<connection id>?region=<region>`
 *   where `<service>` is the ARN's own prefix (`codestar-connections` or `codeconnections`). This is
 *   the URL the console itself shows for a connection; public scripts open both spellings.
 * - host: `<console>/codesuite/settings/<account>/<region>/<service>/hosts/<URL-encoded host ARN>?region=<region>`.
 *   Less certain: built by analogy with the connection page; if AWS changes it, the fallback is
 *   {@link connectionsSettingsConsoleUrl} (the documented entry point; hosts are a tab there).
 * - pipeline: `<console>/codesuite/codepipeline/pipelines/<name>/view?region=<region>`.
 * - IAM role (a missing permission): `<global console>/iam/home#/roles/details/<role name>`.
 * - Step Functions execution (a stalled rollback): `<console>/states/home?region=<region>#/v2/executions/details/<execution ARN>`.
 * - `<console>` is `https://<region>.console.aws.amazon.com` in the `aws` partition, and the
 *   partition's console with `?region=` selecting the Region elsewhere:
 *   `https://console.amazonaws.cn` (`aws-cn`), `https://console.amazonaws-us-gov.com` (`aws-us-gov`).
 *   Other partitions (ISO, sovereign clouds) have consoles we cannot link to reliably: refused.
 *
 * Why links per ARN prefix: since July 2024 the console creates `codeconnections` ARNs while
 * older resources keep `codestar-connections`; a link built with the wrong prefix lands on an error
 * page (field notes §3.17, §3.28).
 */

import { InvalidArnError } from './input-errors.ts';

/** Partitions we can link into. */
export type ConsolePartition = 'aws' | 'aws-cn' | 'aws-us-gov';
/** The two ARN service prefixes of CodeStar Connections / CodeConnections resources. */
export type ConnectionsService = 'codestar-connections' | 'codeconnections';

/** The parts of a host or connection ARN. */
export interface ConnectionsArn {
  arn: string;
  partition: ConsolePartition;
  service: ConnectionsService;
  region: string;
  accountId: string;
  resourceType: 'host' | 'connection';
  /** The part after `host/` or `connection/` (host: `<name>-<hex>`; connection: a UUID). */
  resourceId: string;
}

/** The parts of a CodePipeline pipeline ARN. */
export interface PipelineArn {
  arn: string;
  partition: ConsolePartition;
  region: string;
  accountId: string;
  pipelineName: string;
}

const CONSOLE_PARTITIONS: readonly string[] = ['aws', 'aws-cn', 'aws-us-gov'];
const CONNECTIONS_ARN =
  /^arn:(aws(?:-[a-z]+)*):(codestar-connections|codeconnections):([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):(host|connection)\/([^/\s]+)$/u;
const PIPELINE_ARN = /^arn:(aws(?:-[a-z]+)*):codepipeline:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):([A-Za-z0-9.@\-_]{1,100})$/u;

function assertConsolePartition(arn: string, partition: string): ConsolePartition {
  if (!CONSOLE_PARTITIONS.includes(partition)) {
    throw new InvalidArnError(arn, `No console link can be built for partition "${partition}" (supported: aws, aws-cn, aws-us-gov).`);
  }
  return partition as ConsolePartition;
}

/**
 * Splits a CodeStar Connections / CodeConnections host or connection ARN.
 *
 * @throws InvalidArnError when `arn` is not such an ARN or its partition has no known console.
 */
export function parseConnectionsArn(arn: string): ConnectionsArn {
  const match = CONNECTIONS_ARN.exec(arn);
  if (match === null) {
    throw new InvalidArnError(
      arn.slice(0, 300),
      'Not a host or connection ARN (expected arn:<partition>:codestar-connections|codeconnections:<region>:<account>:host|connection/<id>).',
    );
  }
  const [, partition = '', service, region = '', accountId = '', resourceType, resourceId = ''] = match;
  return {
    arn,
    partition: assertConsolePartition(arn, partition),
    service: service as ConnectionsService,
    region,
    accountId,
    resourceType: resourceType as 'host' | 'connection',
    resourceId,
  };
}

/**
 * Splits a CodePipeline pipeline ARN (`arn:aws:codepipeline:<region>:<account>:<name>`).
 *
 * @throws InvalidArnError when `arn` is not a pipeline ARN or its partition has no known console.
 */
export function parsePipelineArn(arn: string): PipelineArn {
  const match = PIPELINE_ARN.exec(arn);
  if (match === null) {
    throw new InvalidArnError(arn.slice(0, 300), 'Not a pipeline ARN (expected arn:<partition>:codepipeline:<region>:<account>:<name>).');
  }
  const [, partition = '', region = '', accountId = '', pipelineName = ''] = match;
  return { arn, partition: assertConsolePartition(arn, partition), region, accountId, pipelineName };
}

/** The console origin for a Region of a partition (see the module comment for the choice). */
function consoleOrigin(partition: ConsolePartition, region: string): string {
  switch (partition) {
    case 'aws':
      return `https://${region}.console.aws.amazon.com`;
    case 'aws-cn':
      return 'https://console.amazonaws.cn';
    case 'aws-us-gov':
      return 'https://console.amazonaws-us-gov.com';
  }
}

function regionQuery(region: string): string {
  return `?region=${encodeURIComponent(region)}`;
}

/**
 * The console page of a host, where the GHES (or GitLab) admin chooses "Set up host". The page is
 * the same for both providers: the console shows what that provider's set-up asks for.
 *
 * @throws InvalidArnError when `hostArn` is not a host ARN.
 */
export function hostConsoleUrl(hostArn: string): string {
  const arn = parseConnectionsArn(hostArn);
  if (arn.resourceType !== 'host') throw new InvalidArnError(hostArn, 'Expected a host ARN, got a connection ARN.');
  const base = `${consoleOrigin(arn.partition, arn.region)}/codesuite/settings/${arn.accountId}/${arn.region}/${arn.service}`;
  return `${base}/hosts/${encodeURIComponent(hostArn)}${regionQuery(arn.region)}`;
}

/**
 * The console page of a connection, where the approver chooses "Update pending connection".
 *
 * @throws InvalidArnError when `connectionArn` is not a connection ARN.
 */
export function connectionConsoleUrl(connectionArn: string): string {
  const arn = parseConnectionsArn(connectionArn);
  if (arn.resourceType !== 'connection') {
    throw new InvalidArnError(connectionArn, 'Expected a connection ARN, got a host ARN.');
  }
  const base = `${consoleOrigin(arn.partition, arn.region)}/codesuite/settings/${arn.accountId}/${arn.region}/${arn.service}`;
  return `${base}/connections/${encodeURIComponent(arn.resourceId)}${regionQuery(arn.region)}`;
}

/**
 * The pipeline's page in the CodePipeline console.
 *
 * @throws InvalidArnError when `pipelineArn` is not a pipeline ARN.
 */
export function pipelineConsoleUrl(pipelineArn: string): string {
  const arn = parsePipelineArn(pipelineArn);
  const origin = consoleOrigin(arn.partition, arn.region);
  return `${origin}/codesuite/codepipeline/pipelines/${encodeURIComponent(arn.pipelineName)}/view${regionQuery(arn.region)}`;
}

const ROLE_ARN = /^arn:(aws(?:-[a-z]+)*):iam::(\d{12}):role\/(?:[^\s]*\/)?([\w+=,.@-]{1,64})$/u;
const EXECUTION_ARN = /^arn:(aws(?:-[a-z]+)*):states:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):execution:[^:\s]+:[^:\s]+$/u;

/**
 * An IAM role's page (IAM is global: the partition's console, without a Region), where a missing
 * permission is granted: `<console>/iam/home#/roles/details/<role name>`.
 *
 * @throws InvalidArnError when `roleArn` is not a role ARN.
 */
export function roleConsoleUrl(roleArn: string): string {
  const match = ROLE_ARN.exec(roleArn);
  if (match === null) throw new InvalidArnError(roleArn.slice(0, 300), 'Not an IAM role ARN (expected arn:<partition>:iam::<account>:role/<name>).');
  const [, partition = '', , roleName = ''] = match;
  const consolePartition = assertConsolePartition(roleArn, partition);
  const origin = consolePartition === 'aws' ? 'https://console.aws.amazon.com' : consoleOrigin(consolePartition, '');
  return `${origin}/iam/home#/roles/details/${encodeURIComponent(roleName)}`;
}

/**
 * A Step Functions execution's page: `<console>/states/home?region=<region>#/v2/executions/details/<execution ARN>`.
 *
 * @throws InvalidArnError when `executionArn` is not an execution ARN.
 */
export function executionConsoleUrl(executionArn: string): string {
  const match = EXECUTION_ARN.exec(executionArn);
  if (match === null) {
    throw new InvalidArnError(executionArn.slice(0, 300), 'Not a Step Functions execution ARN (expected arn:<partition>:states:<region>:<account>:execution:<state machine>:<name>).');
  }
  const [, partition = '', region = ''] = match;
  const origin = consoleOrigin(assertConsolePartition(executionArn, partition), region);
  return `${origin}/states/home${regionQuery(region)}#/v2/executions/details/${executionArn}`;
}

/**
 * The documented entry point, Developer Tools > Settings > Connections (hosts are a tab there).
 * Use it as a fallback link next to the deep links.
 */
export function connectionsSettingsConsoleUrl(region: string, partition: ConsolePartition = 'aws'): string {
  return `${consoleOrigin(partition, region)}/codesuite/settings/connections${regionQuery(region)}`;
}

/** The CloudFormation console's stacks, where a stack's Git sync status and blockers are shown. */
export function gitSyncConsoleUrl(region: string, stackName: string): string {
  return `https://${region}.console.aws.amazon.com/cloudformation/home?region=${region}#/stacks?filteringText=${encodeURIComponent(stackName)}`;
}
