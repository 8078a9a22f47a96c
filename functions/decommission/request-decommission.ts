import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Clients } from '../adapters/aws-clients.ts';
import { resourceId } from '../audit/resource-key.ts';
import type { Caller } from '../request/caller.ts';
import { isDecommissioning, isUpdatingHost, type ConnectionRequestRecord, type RequestStatus } from '../request/model.ts';
import { replacementUnderWay } from '../replace/request-replacement.ts';
import { requestView, type RequestView } from '../request/request-view.ts';
import { timelineEntry, type BrokerStore } from '../request/store.ts';
import { conflict, notFound, serviceUnavailable } from '../shell/http-errors.ts';
import { usageOrProblem } from './usage-or-problem.ts';
import type { DecommissionBody } from './contract.ts';
import { decideDecommission, describeUser } from './guard.ts';


export interface DecommissionDependencies {
  store: BrokerStore;
  aws: Pick<Clients, 'stepFunctions'>;
  /** The clients where the request made its connection; `ram` only in the broker's own account. */
  awsFor(record: ConnectionRequestRecord): Pick<Clients, 'pipelines' | 'connections' | 'codeBuild'> & Partial<Pick<Clients, 'ram'>>;
  stateMachineArn: string;
  ownerApproval: 'approvers' | 'none';
  /** How long the approvers have (the handshake approval's timeout). */
  approvalTimeoutSeconds: number;
}

/** Where a connection made by the broker may be found: requests that hold one. */
const HOLDING: readonly RequestStatus[] = ['COMPLETED', 'WAITING_FOR_DECOMMISSION_APPROVAL', 'DECOMMISSIONING', 'DECOMMISSIONED', 'UPDATING_HOST', 'WAITING_FOR_HOST_SETUP'];

/**
 * DELETE /v1/connections/{id}: retire a connection the broker made (id: the last part of its ARN,
 * as GET /v1/connections shows it). The owner (the requester) or an admin may ask. The guard
 * answers 409 with everything that uses the connection unless the caller detaches, and the broker
 * can restore each of them; otherwise the decommission machine runs, at once for an admin, after
 * the approvers allow it for an owner (configurable), and the request ends DECOMMISSIONED.
 */
export async function requestDecommission(caller: Caller, connectionId: string, body: DecommissionBody, dependencies: DecommissionDependencies): Promise<RequestView> {
  const record = await connectionRecord(caller, connectionId, dependencies.store);
  if (record.status === 'DECOMMISSIONED') throw conflict('AlreadyDecommissioned', `Connection ${connectionId} was decommissioned already; request ${record.requestId} is its tombstone.`);
  if (isDecommissioning(record.status) && !record.decommission?.executionArn && Date.now() - Date.parse(record.decommission!.at) > REDRIVE_AFTER_MS) {
    // Asked for, but its workflow never started (the API stopped in between): start it now.
    return requestView(await startDecommission(record, record.decommission!.approval, new Date(record.decommission!.at), dependencies));
  }
  if (isDecommissioning(record.status)) throw conflict('DecommissionUnderWay', `Connection ${connectionId} is being decommissioned already (request ${record.requestId}).`);
  if (isUpdatingHost(record)) throw conflict('HostUpdateUnderWay', `The host of connection ${connectionId} is being updated (request ${record.requestId}); decommission it once that is done.`);
  if (record.replacedBy && (await replacementUnderWay(dependencies.store, record.replacedBy))) {
    // Its rollback would point the pipelines back at this connection: it must still be there.
    throw conflict('ReplacementUnderWay', `Request ${record.replacedBy} is replacing connection ${connectionId}; it is decommissioned once that completes.`);
  }
  const detach = body.detach === true;
  // A shared request's connection is the hub's: leaving the share affects only this account, whose
  // pipelines the workflow restores; the hub's share and connection stay.
  const usage =
    record.connectionStrategy === 'shared'
      ? { pipelineActions: [], repositoryLinks: [], syncConfigurations: [], resourceShares: [], codeBuildProjects: [] }
      : await usageOrProblem(record.connectionArn!, dependencies.awsFor(record));
  const decision = decideDecommission(record, usage, { detach });
  if (!decision.allowed) {
    throw conflict(
      'ConnectionInUse',
      `Connection ${connectionId} is in use; nothing was changed.`,
      decision.blocking.map((user) => ({ path: `usedBy.${user.kind}.${user.name}`, message: describeUser(user) })),
    );
  }

  const approval = caller.isAdmin ? 'none' : dependencies.ownerApproval;
  const at = new Date();
  const claimed = await dependencies.store.updateRequest(record.requestId, (current) =>
    current.status !== 'COMPLETED'
      ? undefined
      : {
          ...current,
          status: approval === 'approvers' ? 'WAITING_FOR_DECOMMISSION_APPROVAL' : 'DECOMMISSIONING',
          // The handshake's approval is over; the decommission's own is opened by its workflow.
          approvalId: undefined,
          decommission: { by: caller.id, at: at.toISOString(), ...(body.reason ? { reason: body.reason } : {}), detach, approval, usedBy: decision.usedBy },
          timeline: [
            ...current.timeline,
            timelineEntry(
              'decommission',
              caller.id,
              `Asked to decommission the connection${detach ? ', detaching its pipelines' : ''}${approval === 'approvers' ? '; the approvers decide' : ''}.` +
                (decision.usedBy.length > 0 ? ` In use: ${decision.usedBy.map(describeUser).join(' ')}` : ' Nothing uses it.'),
              at,
            ),
          ],
        },
  );
  if (claimed.status === 'COMPLETED' || claimed.decommission?.at !== at.toISOString()) {
    throw conflict('DecommissionUnderWay', `Connection ${connectionId} is being decommissioned already (request ${record.requestId}).`);
  }
  return requestView(await startDecommission(claimed, approval, at, dependencies));
}

/** A decommission that was not started within this long (the API stopped after recording it) is started again by a repeated DELETE. */
const REDRIVE_AFTER_MS = 60_000;

/** Starts the decommission machine, named by when it was asked for (a repeated start finds the same execution); not started, the request is COMPLETED again. */
async function startDecommission(record: ConnectionRequestRecord, approval: 'approvers' | 'none', at: Date, dependencies: DecommissionDependencies): Promise<ConnectionRequestRecord> {
  let executionArn: string | undefined;
  try {
    ({ executionArn } = await dependencies.aws.stepFunctions.send(
      new StartExecutionCommand({
        stateMachineArn: dependencies.stateMachineArn,
        // One decommission per request and ask: a retried start finds the same execution.
        name: `decommission-${record.requestId.slice(0, 36)}-${at.getTime()}`,
        input: JSON.stringify({ requestId: record.requestId, approval, approvalTimeoutSeconds: dependencies.approvalTimeoutSeconds }),
      }),
    ));
  } catch (error) {
    // Not started: the request is COMPLETED again, and the caller may ask again.
    await dependencies.store.updateRequest(record.requestId, (current) => ({
      ...current,
      status: 'COMPLETED',
      decommission: { ...current.decommission!, abandoned: { code: 'NotStarted', message: 'The decommission workflow could not be started.' } },
      timeline: [...current.timeline, timelineEntry('decommission', 'system', 'The decommission could not be started; nothing was changed. Ask again.')],
    }));
    throw serviceUnavailable('DecommissionNotStarted', `The decommission could not be started (${(error as Error).name}); nothing was changed. Try again.`);
  }
  const started = await dependencies.store.updateRequest(record.requestId, (current) => ({ ...current, decommission: { ...current.decommission!, executionArn } }));
  return started;
}

/** The request that made the connection, if the caller may see it (its owner or an admin). */
async function connectionRecord(caller: Caller, connectionId: string, store: BrokerStore): Promise<ConnectionRequestRecord> {
  // Someone else's connection reads as absent, as someone else's request does (a hub connection is named by several).
  const found = await store.findRequest(
    HOLDING,
    (record) => record.connectionArn !== undefined && resourceId(record.connectionArn) === connectionId && (record.requester.id === caller.id || caller.isAdmin),
  );
  if (found) return found;
  throw notFound(`No connection ${connectionId.length > 100 ? `${connectionId.slice(0, 100)}…` : connectionId} made by the broker exists.`);
}
