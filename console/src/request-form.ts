import { parseConnectionRequest } from '../../functions/request/contract.ts';
import { isCloudProvider, type ProviderType } from '../../functions/request/provider.ts';

/**
 * The New request form as plain values, the body it sends, and where each problem is shown. The
 * body is checked with the API's own parser (functions/request/contract.ts), so the form refuses
 * what the API would refuse, with the same words; the API's own 400 answer is mapped to the same
 * fields (it also checks what a browser cannot, such as whether a TLS certificate parses).
 */

export interface RequestFormValues {
  providerEndpoint: string;
  providerType: ProviderType;
  connectionName: string;
  accountId: string;
  region: string;
  connectionStrategy: '' | 'auto' | 'shared' | 'dedicated';
  useVpc: boolean;
  vpcId: string;
  subnetIds: string;
  securityGroupIds: string;
  tlsCertificate: string;
  usePipeline: boolean;
  pipelineName: string;
  sourceActionName: string;
  fullRepositoryId: string;
  branchName: string;
  outputArtifactFormat: 'CODE_ZIP' | 'CODEBUILD_CLONE_REF';
  detectChanges: boolean;
  trigger: 'none' | 'branch' | 'filters';
  triggerFilters: string;
  useGitSync: boolean;
  gitSyncStackName: string;
  gitSyncRepository: string;
  gitSyncBranch: string;
  gitSyncConfigFile: string;
  gitSyncRoleArn: string;
  /** '' leaves the toggle out: Git sync's default. */
  gitSyncPublishDeploymentStatus: '' | 'ENABLED' | 'DISABLED';
  gitSyncPullRequestComment: '' | 'ENABLED' | 'DISABLED';
  gitSyncTriggerResourceUpdateOn: '' | 'ANY_CHANGE' | 'FILE_CHANGE';
  tags: string;
}

export const EMPTY_FORM: RequestFormValues = {
  providerEndpoint: '',
  providerType: 'GitHubEnterpriseServer',
  connectionName: '',
  accountId: '',
  region: '',
  connectionStrategy: '',
  useVpc: false,
  vpcId: '',
  subnetIds: '',
  securityGroupIds: '',
  tlsCertificate: '',
  usePipeline: false,
  pipelineName: '',
  sourceActionName: '',
  fullRepositoryId: '',
  branchName: '',
  outputArtifactFormat: 'CODE_ZIP',
  detectChanges: true,
  trigger: 'none',
  triggerFilters: '',
  useGitSync: false,
  gitSyncStackName: '',
  gitSyncRepository: '',
  gitSyncBranch: '',
  gitSyncConfigFile: '',
  gitSyncRoleArn: '',
  gitSyncPublishDeploymentStatus: '',
  gitSyncPullRequestComment: '',
  gitSyncTriggerResourceUpdateOn: '',
  tags: '',
};

/** Where a problem is shown: the body path of each field the form has (the input's id). */
export const FIELDS = [
  'providerEndpoint',
  'providerType',
  'connectionName',
  'accountId',
  'region',
  'connectionStrategy',
  'vpcConfiguration.vpcId',
  'vpcConfiguration.subnetIds',
  'vpcConfiguration.securityGroupIds',
  'vpcConfiguration.tlsCertificate',
  'pipeline.name',
  'pipeline.sourceActionName',
  'pipeline.fullRepositoryId',
  'pipeline.branchName',
  'pipeline.outputArtifactFormat',
  'pipeline.detectChanges',
  'pipeline.trigger',
  // The Git sync section as a whole (its checkbox): what the API says of gitSync itself, e.g. not with Azure DevOps.
  'gitSync',
  'gitSync.stackName',
  'gitSync.repository',
  'gitSync.branch',
  'gitSync.configFile',
  'gitSync.roleArn',
  'gitSync.publishDeploymentStatus',
  'gitSync.pullRequestComment',
  'gitSync.triggerResourceUpdateOn',
  'tags',
] as const;
export type FieldName = (typeof FIELDS)[number];

export type FieldErrors = Partial<Record<FieldName | 'form', string[]>>;

const list = (text: string) => text.split(/[\s,]+/).filter((item) => item !== '');

/** The body the form sends, or the problems that keep it from being one (a tag line without `=`, filters that are not JSON). */
export function bodyOf(values: RequestFormValues): { body: Record<string, unknown>; problems: FieldErrors } {
  const problems: FieldErrors = {};
  // A cloud provider (GitHub, GitLab.com, Bitbucket, Azure DevOps) has no server URL and no VPC: the form hides them.
  const cloud = isCloudProvider(values.providerType);
  const body: Record<string, unknown> = cloud ? {} : { providerEndpoint: values.providerEndpoint.trim() };
  if (values.providerType !== 'GitHubEnterpriseServer') body.providerType = values.providerType;
  if (values.connectionName.trim() !== '') body.connectionName = values.connectionName.trim();
  if (values.accountId.trim() !== '') body.accountId = values.accountId.trim();
  if (values.region.trim() !== '') body.region = values.region.trim();
  if (values.connectionStrategy !== '') body.connectionStrategy = values.connectionStrategy;
  if (values.useVpc && !cloud) {
    body.vpcConfiguration = {
      vpcId: values.vpcId.trim(),
      subnetIds: list(values.subnetIds),
      securityGroupIds: list(values.securityGroupIds),
      ...(values.tlsCertificate.trim() === '' ? {} : { tlsCertificate: values.tlsCertificate.trim() }),
    };
  }
  if (values.usePipeline) {
    const pipeline: Record<string, unknown> = {
      name: values.pipelineName.trim(),
      sourceActionName: values.sourceActionName.trim(),
      fullRepositoryId: values.fullRepositoryId.trim(),
      branchName: values.branchName.trim(),
      outputArtifactFormat: values.outputArtifactFormat,
      detectChanges: values.detectChanges,
    };
    if (values.trigger === 'branch') pipeline.trigger = true;
    if (values.trigger === 'filters') {
      try {
        pipeline.trigger = JSON.parse(values.triggerFilters) as unknown;
      } catch {
        problems['pipeline.trigger'] = ['Must be JSON: the trigger filters as the API takes them ({ "push": [...] })'];
      }
    }
    body.pipeline = pipeline;
  }
  if (values.useGitSync) {
    body.gitSync = {
      stackName: values.gitSyncStackName.trim(),
      repository: values.gitSyncRepository.trim(),
      branch: values.gitSyncBranch.trim(),
      configFile: values.gitSyncConfigFile.trim(),
      roleArn: values.gitSyncRoleArn.trim(),
      ...(values.gitSyncPublishDeploymentStatus === '' ? {} : { publishDeploymentStatus: values.gitSyncPublishDeploymentStatus }),
      ...(values.gitSyncPullRequestComment === '' ? {} : { pullRequestComment: values.gitSyncPullRequestComment }),
      ...(values.gitSyncTriggerResourceUpdateOn === '' ? {} : { triggerResourceUpdateOn: values.gitSyncTriggerResourceUpdateOn }),
    };
  }
  const tagLines = values.tags.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  if (tagLines.length > 0) {
    const tags: Record<string, string> = {};
    for (const line of tagLines) {
      const at = line.indexOf('=');
      if (at <= 0) {
        (problems.tags ??= []).push(`"${line}" is not key=value`);
        continue;
      }
      tags[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
    body.tags = tags;
  }
  return { body, problems };
}

/** The field a problem's path belongs to: the longest field path it starts with, else the form as a whole. */
export function fieldOf(path: string): FieldName | 'form' {
  const matches = FIELDS.filter((field) => path === field || path.startsWith(`${field}.`));
  return matches.sort((a, b) => b.length - a.length)[0] ?? 'form';
}

export function groupByField(details: readonly { path: string; message: string }[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const detail of details) {
    const field = fieldOf(detail.path);
    const message = field === 'form' && detail.path !== '' ? `${detail.path}: ${detail.message}` : detail.message;
    (errors[field] ??= []).push(message);
  }
  return errors;
}

/** The form checked as the API checks it: the body to send, or the problems by field. */
export function checkForm(values: RequestFormValues): { ok: true; body: Record<string, unknown> } | { ok: false; errors: FieldErrors } {
  const { body, problems } = bodyOf(values);
  const parsed = parseConnectionRequest(body);
  const errors = parsed.ok ? {} : groupByField(parsed.details);
  for (const [field, messages] of Object.entries(problems)) errors[field as FieldName] = [...(errors[field as FieldName] ?? []), ...messages];
  return Object.keys(errors).length === 0 ? { ok: true, body } : { ok: false, errors };
}
