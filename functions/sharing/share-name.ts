/** What every share the broker makes is named with (the auditor finds the broker's shares by it). */
export const SHARE_NAME_PREFIX = 'connection-broker-';

/** The share's name: one per connection, whatever the number of accounts it is shared with. */
export function shareNameOf(connectionArn: string): string {
  return `${SHARE_NAME_PREFIX}${connectionArn.split('/').at(-1)}`;
}
