import { connectionConsoleUrl, hostConsoleUrl } from './console-links.ts';
import type { ConnectionRequestRecord, RequestStatus } from './model.ts';
import { attentionItems } from './attention.ts';
import { nextAction, nextActionSettings, type NextActionSettings } from './next-action.ts';
import { config, type BrokerConfig } from '../shell/config.ts';

/** The step a status belongs to, in words a requester understands. */
const CURRENT_STEP: Record<RequestStatus, string> = {
  ACCEPTED: 'starting',
  PROVISIONING_HOST: 'reusing or creating the host',
  WAITING_FOR_HOST_SETUP: 'waiting for the host to be set up in the AWS console',
  CREATING_CONNECTION: 'creating the connection',
  WAITING_FOR_APPROVAL: 'waiting for the connection handshake and approval',
  VERIFYING_CONNECTION: 'verifying the connection',
  ATTACHING_PIPELINE: 'attaching the connection to the pipeline',
  ROLLING_BACK: 'rolling back',
  COMPLETED: 'done',
  FAILED: 'failed and rolled back',
  REJECTED: 'rejected and rolled back',
  TIMED_OUT: 'timed out and rolled back',
  CANCELLED: 'cancelled and rolled back',
};

const settingsByConfig = new WeakMap<BrokerConfig, NextActionSettings>();

/** The next-action settings of the function's configuration (SLACK_APPROVERS parsed once per container). */
function viewSettings(): NextActionSettings {
  const current = config();
  let settings = settingsByConfig.get(current);
  if (!settings) {
    settings = nextActionSettings(current);
    settingsByConfig.set(current, settings);
  }
  return settings;
}

/**
 * What the API shows of a request: no internal bookkeeping, and links to act on it.
 *
 * `nextAction` (who must do what next, where, by when; null when nobody has to act) and
 * `waitingFor` (the record's account of the human wait it is in) come from the same record: for
 * host set-up and the handshake, nextAction's deadline counts from waitingFor.since and its link is
 * built from the same ARN with the same console-links function as waitingFor.link.
 */
export function requestView(record: ConnectionRequestRecord, settings: NextActionSettings = viewSettings(), now: Date = new Date()) {
  return {
    requestId: record.requestId,
    status: record.status,
    currentStep: CURRENT_STEP[record.status],
    requester: record.requester,
    providerEndpoint: record.providerEndpoint,
    connectionName: record.connectionName,
    region: record.region,
    vpcConfiguration: record.vpcConfiguration
      ? { ...record.vpcConfiguration, tlsCertificate: record.vpcConfiguration.tlsCertificate ? '(provided)' : undefined }
      : undefined,
    pipeline: record.pipeline,
    tags: record.tags,
    hostArn: record.hostArn,
    connectionArn: record.connectionArn,
    pipelineAttachment: pipelineAttachmentView(record),
    waitingFor: record.waitingFor,
    nextAction: nextAction(record, settings, now) ?? null,
    // What a finished request still needs before its pipeline can use the connection; [] when nothing.
    attention: attentionItems(record, settings),
    failure: record.failure,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    timeline: record.timeline,
    links: {
      self: `/v1/connection-requests/${record.requestId}`,
      hostConsole: record.hostArn ? hostConsoleUrl(record.hostArn) : undefined,
      connectionConsole: record.connectionArn ? connectionConsoleUrl(record.connectionArn) : undefined,
    },
  };
}

export type RequestView = ReturnType<typeof requestView>;

/** What the attach step did and what the platform team still has to do; absent before the attach. */
function pipelineAttachmentView(record: ConnectionRequestRecord) {
  if (!record.attachment && !record.permissionFindings && !record.grants) return undefined;
  return {
    stageName: record.attachment?.stageName,
    actionName: record.attachment?.actionName,
    pipelineVersion: record.attachment?.pipelineVersion,
    changed: record.attachment ? record.attachment.actionChanged !== false || record.attachment.trigger?.changed === true : undefined,
    concurrentEdits: record.attachment?.concurrentEdits,
    grantedPolicies: (record.grants ?? []).map(({ roleArn, policyName, purpose }) => ({ roleArn, policyName, purpose })),
    missingPermissions: record.permissionFindings ?? [],
    firstRun: record.firstRun,
  };
}
