import type { CallContext } from '../../context.ts';
import { AwsServiceError } from '../../errors.ts';
import type { OperationHandler, SandboxDeps } from '../../service.ts';
import { paginate } from '../pagination.ts';
import { cloudFormationState, describeStack, isLive, liveStackNamed, type CloudFormationState, type StackRecord } from './state.ts';

/**
 * Stacks per DescribeStacks page. AWS documents no count: its NextToken is returned "if the output
 * exceeds 1 MB in size". A fixed count keeps pages deterministic; callers must follow NextToken
 * either way (the SDK paginator and the CLI do).
 */
export const DESCRIBE_STACKS_PAGE_SIZE = 100;

/** CloudFormation's client-error code for every bad request, missing stacks included (query protocol `<Code>`). */
export function validationError(message: string): AwsServiceError {
  return new AwsServiceError('ValidationError', message, 400);
}

/** The API Reference: "If the stack doesn't exist, a ValidationError is returned", worded as AWS words it. */
export function stackDoesNotExist(stackName: string): AwsServiceError {
  return validationError(`Stack with id ${stackName} does not exist`);
}

const STACK_ID = /^arn:aws(?:-[a-z]+)*:cloudformation:([^:]+):(\d{12}):stack\/([^/]+)\/(.+)$/;

/**
 * DescribeStacks' input, checked by hand: the repository has no Smithy model of CloudFormation and
 * none can be fetched here. What was checked, against the API Reference (DescribeStacks, "Request
 * Parameters") and botocore's service model (cloudformation 2010-05-15, shipped with the AWS CLI):
 * - StackName: optional string with no length or pattern constraint on this operation (unlike
 *   CreateStack's 1..128 `[a-zA-Z][-a-zA-Z0-9]*`): any text is accepted, and text that names no
 *   stack is the not-found ValidationError. An empty value is sent as given and so names no stack
 *   (AWS documents only an absent StackName as "every stack").
 * - NextToken: optional string of 1..1024 characters (botocore: `min 1, max 1024`), refused in
 *   Coral's words with CloudFormation's code `ValidationError`.
 * The query protocol sends every value as text; other parameters are ignored, as AWS's front end does.
 */
export function readDescribeStacksInput(raw: Record<string, unknown>): { StackName?: string; NextToken?: string } {
  const stackName = raw.StackName;
  const nextToken = raw.NextToken;
  const problems: string[] = [];
  if (nextToken !== undefined) {
    const text = String(nextToken);
    if (text.length < 1) problems.push(`Value '${text}' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1`);
    if (text.length > 1024) problems.push(`Value '${text}' at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 1024`);
  }
  if (problems.length > 0) {
    throw validationError(`${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
  }
  return {
    ...(stackName === undefined ? {} : { StackName: String(stackName) }),
    ...(nextToken === undefined ? {} : { NextToken: String(nextToken) }),
  };
}

/**
 * The stack a StackName names in the caller's account and Region: a live stack by its name, or any
 * stack (a deleted one too, as the API Reference says: "Deleted stacks: You must specify the unique
 * stack ID") by its StackId.
 */
export function stackNamedBy(state: CloudFormationState, call: Pick<CallContext, 'accountId' | 'region'>, stackName: string): StackRecord | undefined {
  const id = STACK_ID.exec(stackName);
  if (!id) return liveStackNamed(state, stackName);
  if (id[1] !== call.region || id[2] !== call.accountId) return undefined;
  return Object.hasOwn(state.stacks, stackName) ? state.stacks[stackName] : undefined;
}

/** The stacks DescribeStacks lists without a StackName: the live ones, newest first. */
export function liveStacks(state: CloudFormationState): StackRecord[] {
  return Object.values(state.stacks)
    .filter(isLive)
    .sort((a, b) => b.seq - a.seq);
}

export function cloudFormationOperations({ store }: SandboxDeps): Record<string, OperationHandler> {
  return {
    /**
     * With a StackName: that stack, or the not-found ValidationError. Without: the account's live
     * stacks in the Region (deleted ones are left out), newest first, a page at a time.
     */
    DescribeStacks(raw: Record<string, unknown>, call: CallContext) {
      const input = readDescribeStacksInput(raw);
      const state = cloudFormationState(store, call.accountId, call.region);
      if (input.StackName !== undefined) {
        const stack = stackNamedBy(state, call, input.StackName);
        if (!stack) throw stackDoesNotExist(input.StackName);
        return { Stacks: [describeStack(stack)] };
      }
      const { page, nextToken } = paginate(liveStacks(state), {
        // Newest first is descending seq: the negated seq ascends, so a page resumes after a stack deleted meanwhile.
        keyOf: (stack) => -stack.seq,
        sortedByKey: true,
        pageSize: DESCRIBE_STACKS_PAGE_SIZE,
        nextToken: input.NextToken,
        list: 'stacks',
        // Which words AWS uses for a token it did not issue is not documented; its code for every bad input is ValidationError.
        invalidToken: () => validationError('Invalid NextToken'),
      });
      return { Stacks: page.map(describeStack), NextToken: nextToken };
    },
  };
}
