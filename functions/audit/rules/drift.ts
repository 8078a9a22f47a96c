import type { AuditContext, Finding, Inventory } from '../model.ts';
import { sameResource } from '../resource-key.ts';
import { useConnectionContext } from '../../attach/tag-based-grant.ts';
import { missingUseConnectionPrefixes } from '../use-connection-policy.ts';
import { attachedSource, rolesToCheck } from './attachment.ts';
import { retire } from './connections.ts';
import { pipelineLink } from './links.ts';

/**
 * The pipeline no longer uses the connection we attached: someone (IaC, the console) rewrote the
 * source action, renamed it, or deleted the pipeline (field notes §3.21).
 */
export function pipelineSourceDrift(inventory: Inventory, _context: AuditContext): Finding[] {
  const pipelines = new Map(inventory.pipelines.map((pipeline) => [pipeline.name, pipeline]));
  return inventory.requests.flatMap((record): Finding[] => {
    const attached = attachedSource(record);
    if (!attached) return [];
    const pipeline = pipelines.get(attached.pipelineName);
    // Never read (GetPipeline denied): nothing is known to have drifted; RESOURCE_UNREADABLE says so.
    if (pipeline?.unread) return [];
    const where = attached.actionName ? `${attached.stageName ? `${attached.stageName}/` : ''}${attached.actionName}` : 'its source action';
    let problem: string | undefined;
    if (!pipeline) {
      problem = `Pipeline ${attached.pipelineName} no longer exists.`;
    } else {
      const usesOurs = pipeline.sourceActions.filter((action) => sameResource(action.connectionArn, attached.connectionArn));
      const ours = attached.actionName
        ? pipeline.sourceActions.find((action) => action.actionName === attached.actionName && (!attached.stageName || action.stageName === attached.stageName))
        : undefined;
      if (attached.actionName && !ours) {
        problem = `Pipeline ${attached.pipelineName} no longer has the source action ${where} we attached${usesOurs.length ? '' : ', and no other action uses the connection'}.`;
      } else if (ours && !sameResource(ours.connectionArn, attached.connectionArn)) {
        problem = `The source action ${where} of pipeline ${attached.pipelineName} now uses ${ours.connectionArn ?? `a ${ours.provider} source`} instead of the connection we attached.`;
      } else if (!attached.actionName && usesOurs.length === 0) {
        problem = `No source action of pipeline ${attached.pipelineName} uses the connection we attached any more.`;
      }
    }
    if (!problem) return [];
    return [
      {
        type: 'PIPELINE_SOURCE_DRIFT',
        severity: 'high',
        resource: attached.pipelineName,
        resourceKind: 'pipeline',
        owner: record.requester.id,
        requestId: record.requestId,
        message: problem,
        fix: `If the change was intended, nothing needs the connection from this request any more: reuse it, or ${retire(attached.connectionArn, record.requestId)}. Otherwise point the source action back at the connection, and record the attachment in the pipeline's IaC so the next apply does not revert it.`,
        link: pipeline ? pipelineLink(attached.pipelineName, attached.connectionArn) : undefined,
      },
    ];
  });
}

/**
 * The pipeline role must allow UseConnection on the connection under both ARN prefixes; otherwise
 * the Source stage fails with "Unable to use Connection" (field notes §3.13).
 */
export function rolesLackingUseConnection(inventory: Inventory, _context: AuditContext): Finding[] {
  const pipelines = new Map(inventory.pipelines.map((pipeline) => [pipeline.name, pipeline]));
  return inventory.requests.flatMap((record): Finding[] => {
    const attached = attachedSource(record);
    if (!attached) return [];
    return rolesToCheck(attached, pipelines.get(attached.pipelineName)?.roleArn).flatMap(({ roleName, policyNames }): Finding[] => {
      const role = inventory.roles[roleName];
      // Unknown, or its policies may not be read (RESOURCE_UNREADABLE says so): nothing to conclude.
      if (!role || role.unread) return [];
      const base = { type: 'ROLE_LACKS_USE_CONNECTION', severity: 'high', resource: roleName, resourceKind: 'role', owner: record.requester.id, requestId: record.requestId } as const;
      if (!role.exists) {
        return [{ ...base, message: `Role ${roleName} (used by pipeline ${attached.pipelineName}) no longer exists.`, fix: 'Give the pipeline an existing role, then grant it UseConnection on the connection under both prefixes.' }];
      }
      // The tags IAM would see, when both sets are known (the tag-based grant's policy conditions on them).
      const connection = inventory.connections.find((candidate) => sameResource(candidate.arn, attached.connectionArn));
      const context = role.tags && connection && !connection.tagsUnknown ? useConnectionContext(role.tags, connection.tags) : undefined;
      const missing = missingUseConnectionPrefixes(
        role.policies.map((policy) => policy.document),
        attached.connectionArn,
        context,
      );
      if (missing.length === 0) return [];
      const present = new Set(role.policies.map((policy) => policy.name));
      const removed = policyNames.filter((name) => !present.has(name));
      const actions = missing.map((prefix) => `${prefix}:UseConnection`).join(' and ');
      return [
        {
          ...base,
          message: `Role ${roleName} (used by pipeline ${attached.pipelineName}) lacks ${actions} on the connection${removed.length ? `; the inline policy ${removed.join(', ')} we granted was removed` : ''}.`,
          fix: `Grant ${actions} on ${attached.connectionArn} (under both ARN prefixes) to the role again, and find out who removed it; without it the Source stage fails with "Unable to use Connection".`,
        },
      ];
    });
  });
}
