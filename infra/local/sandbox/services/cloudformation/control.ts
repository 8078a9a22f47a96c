import { requiredString } from '../../control/router.ts';
import { ControlApiError } from '../../errors.ts';
import type { ControlRoute, SandboxDeps } from '../../service.ts';
import { addStack, cloudFormationState, describeStack, liveStackNamed, STACK_STATUSES, stackChanged, type StackStatus, type StackTag } from './state.ts';

/** CreateStack's StackName constraints (API Reference): what a stack made here must satisfy. */
const STACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]*$/;
const STACK_NAME_MAX = 128;

/**
 * What happens to stacks outside the API the sandbox serves: someone deletes a stack in the
 * console, or a test needs a stack that exists (the account and Region are the control API's:
 * `?account=&region=` or the body's `account`/`region`).
 */
export function cloudFormationControlRoutes({ store, clock }: SandboxDeps): ControlRoute[] {
  return [
    {
      method: 'POST',
      path: '/cloudformation/stacks',
      summary:
        'Create a stack directly (test set-up): {stackName, status? (a StackStatus, default CREATE_COMPLETE), tags?: {key: value}} → ' +
        'the stack as DescribeStacks shows it. 409 StackAlreadyExists while a live stack has the name',
      handle: ({ body, accountId, region }) => {
        const stackName = requiredString(body, 'stackName');
        if (!STACK_NAME.test(stackName) || stackName.length > STACK_NAME_MAX) {
          throw new ControlApiError(400, 'InvalidParameter', `stackName must match ${STACK_NAME.source} and be at most ${STACK_NAME_MAX} characters`, 'stackName');
        }
        const status = stackStatus(body.status);
        const tags = stackTags(body.tags);
        const state = cloudFormationState(store, accountId, region);
        if (liveStackNamed(state, stackName)) {
          // CreateStack's AlreadyExistsException, in its words.
          throw new ControlApiError(409, 'StackAlreadyExists', `Stack [${stackName}] already exists`, 'stackName');
        }
        const stack = addStack(state, accountId, region, stackName, clock.nowMs(), { status, tags });
        stackChanged(store, state, stack);
        return describeStack(stack);
      },
    },
    {
      method: 'DELETE',
      path: '/cloudformation/stacks/:stackName',
      summary:
        'Someone deletes the stack in the console: the live stack of that name → DELETE_COMPLETE (DescribeStacks then finds it only by StackId) → ' +
        '{StackId, StackName, StackStatus}. 404 StackNotFound when no live stack has the name',
      handle: ({ params, accountId, region }) => {
        const stackName = params.stackName!;
        const state = cloudFormationState(store, accountId, region);
        const stack = liveStackNamed(state, stackName);
        if (!stack) throw new ControlApiError(404, 'StackNotFound', `Stack with id ${stackName} does not exist`, 'stackName');
        stack.status = 'DELETE_COMPLETE';
        stack.deletionTimeMs = clock.nowMs();
        stackChanged(store, state, stack);
        return { StackId: stack.stackId, StackName: stack.stackName, StackStatus: stack.status };
      },
    },
  ];
}

function stackStatus(value: unknown): StackStatus {
  if (value === undefined || value === null) return 'CREATE_COMPLETE';
  if (typeof value !== 'string' || !(STACK_STATUSES as readonly string[]).includes(value)) {
    throw new ControlApiError(400, 'InvalidParameter', `status must be a StackStatus: ${STACK_STATUSES.join(', ')}`, 'status');
  }
  return value as StackStatus;
}

function stackTags(value: unknown): StackTag[] {
  if (value === undefined || value === null) return [];
  const entries = typeof value === 'object' && !Array.isArray(value) ? Object.entries(value as Record<string, unknown>) : undefined;
  if (!entries || entries.some(([key, tag]) => key === '' || typeof tag !== 'string')) {
    throw new ControlApiError(400, 'InvalidParameter', 'tags must be an object of non-empty keys and string values', 'tags');
  }
  return entries.map(([Key, Value]) => ({ Key, Value: Value as string }));
}
