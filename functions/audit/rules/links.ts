import { connectionConsoleUrl, gitSyncConsoleUrl, hostConsoleUrl, pipelineConsoleUrl } from '../../request/console-links.ts';

/** Console links are a help, never a reason for a rule to fail: an ARN we cannot link gets none. */
function safely(build: () => string): string | undefined {
  try {
    return build();
  } catch {
    return undefined;
  }
}

export const hostLink = (arn: string) => safely(() => hostConsoleUrl(arn));
export const connectionLink = (arn: string) => safely(() => connectionConsoleUrl(arn));
/** The CloudFormation console's stacks, filtered to the stack: its Git sync tab shows the sync events and blockers. */
export const gitSyncLink = (region: string | undefined, stackName: string) => (region ? safely(() => gitSyncConsoleUrl(region, stackName)) : undefined);

/** Pipeline ARNs are not in the inventory; they follow from the connection's account and Region. */
export function pipelineLink(name: string, sameAccountAs: string | undefined): string | undefined {
  const match = /^arn:([^:]+):[^:]+:([^:]+):(\d{12}):/.exec(sameAccountAs ?? '');
  if (!match) return undefined;
  return safely(() => pipelineConsoleUrl(`arn:${match[1]}:codepipeline:${match[2]}:${match[3]}:${name}`));
}
