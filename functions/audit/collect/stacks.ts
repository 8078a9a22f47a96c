import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { RepositoryLinkFacts, SyncConfigurationFacts, UnreadableResource } from '../model.ts';
import { unreadableFrom } from './access-denied.ts';
import { mapConcurrently } from './patiently.ts';

type Call = <T>(send: () => Promise<T>) => Promise<T>;

/**
 * Whether the stack of each sync configuration that once synced still exists (DescribeStacks by
 * name). Git sync's first successful sync creates the stack, so one that synced before and is now
 * missing was deleted outside Git sync; before the first success a missing stack is merely not made
 * yet, and is not asked about. CloudFormation answers a name with no live stack with a
 * ValidationError ("Stack with id … does not exist"); a deleted stack is found only by its id.
 * A refusal is recorded (RESOURCE_UNREADABLE) and concludes nothing about the stack.
 */
export async function markStacksGone(
  cloudFormation: CloudFormationClient,
  gitSync: { repositoryLinks: readonly RepositoryLinkFacts[]; syncConfigurations: readonly SyncConfigurationFacts[] },
  options: { call: Call; concurrency: number },
): Promise<{ syncConfigurations: SyncConfigurationFacts[]; unreadable: UnreadableResource[] }> {
  const unreadable: UnreadableResource[] = [];
  const links = new Map(gitSync.repositoryLinks.map((link) => [link.id, link]));
  const syncConfigurations = await mapConcurrently([...gitSync.syncConfigurations], options.concurrency, async (sync): Promise<SyncConfigurationFacts> => {
    if (!sync.succeededBefore) return sync;
    try {
      const { Stacks } = await options.call(() => cloudFormation.send(new DescribeStacksCommand({ StackName: sync.stackName })));
      return Stacks?.some((stack) => stack.StackStatus !== 'DELETE_COMPLETE') ? sync : { ...sync, stackGone: true };
    } catch (error) {
      if (isNoSuchStack(error)) return { ...sync, stackGone: true };
      const policyResource = stackArnPattern(links.get(sync.repositoryLinkId)?.arn, sync.stackName);
      const denied = unreadableFrom(error, {
        resource: sync.stackName,
        resourceKind: 'sync-configuration',
        action: 'cloudformation:DescribeStacks',
        ...(policyResource ? { policyResource } : {}),
        lastKnown: false,
      });
      if (!denied) throw error;
      unreadable.push(denied);
      return sync;
    }
  });
  return { syncConfigurations, unreadable };
}

/** CloudFormation's answer for a name that names no live stack (the query protocol's ValidationError). */
export function isNoSuchStack(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return name === 'ValidationError' && typeof message === 'string' && /does not exist/.test(message);
}

/** What a policy must allow DescribeStacks on for the stack: its ARN with any stack id, in the link's account and Region. */
function stackArnPattern(repositoryLinkArn: string | undefined, stackName: string): string | undefined {
  const [, partition, , region, account] = repositoryLinkArn?.split(':') ?? [];
  return partition && region && account ? `arn:${partition}:cloudformation:${region}:${account}:stack/${stackName}/*` : undefined;
}
