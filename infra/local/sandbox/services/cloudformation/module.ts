import { GENERIC_SERVER_ERROR, type QueryProtocolService, type SandboxDeps, type SandboxModule } from '../../service.ts';
import type { CloudFormationLookup } from '../lookups.ts';
import { cloudFormationControlRoutes } from './control.ts';
import { cloudFormationOperations } from './operations.ts';
import { addStack, CLOUDFORMATION_SLICE, cloudFormationState, liveStackNamed, stackChanged, type CloudFormationState } from './state.ts';

/**
 * A minimal CloudFormation over the AWS query protocol (SigV4 signing name `cloudformation`):
 * DescribeStacks, over the stacks Git sync deploys (see `lookup`) and those the control API makes
 * or deletes. Stacks are Regional, per account.
 */
export function createCloudFormationModule(deps: SandboxDeps): SandboxModule & { lookup: CloudFormationLookup } {
  const service: QueryProtocolService = {
    name: 'cloudformation',
    signingName: 'cloudformation',
    apiVersion: '2010-05-15',
    xmlNamespace: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
    // CloudFormation's throttling is the query services' `Throttling` (as IAM's and STS's).
    throttling: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
    serverError: GENERIC_SERVER_ERROR,
    operations: cloudFormationOperations(deps),
  };

  const lookup: CloudFormationLookup = {
    /**
     * Git sync's successful sync deploys the stack. A stack left ROLLBACK_COMPLETE (which AWS will
     * not update) is updated all the same: the sandbox does not model failed deployments.
     */
    stackSynced(accountId, region, stackName) {
      const state = cloudFormationState(deps.store, accountId, region);
      const nowMs = deps.clock.nowMs();
      const live = liveStackNamed(state, stackName);
      const stack = live ?? addStack(state, accountId, region, stackName, nowMs);
      if (live) {
        live.status = 'UPDATE_COMPLETE';
        live.lastUpdatedTimeMs = nowMs;
      }
      stackChanged(deps.store, state, stack);
      return { stackId: stack.stackId, status: stack.status };
    },
  };

  return {
    queryServices: [service],
    controlRoutes: cloudFormationControlRoutes(deps),
    lookup,
    inventory: () => ({
      cloudformation: Object.fromEntries(
        deps.store.slicesOf<CloudFormationState>(CLOUDFORMATION_SLICE).map(({ scope, data }) => [
          scope.join('/'),
          {
            stacks: Object.values(data.stacks)
              .sort((a, b) => a.seq - b.seq)
              .map(({ stackId, stackName, status }) => ({ stackId, stackName, status })),
          },
        ]),
      ),
    }),
  };
}
