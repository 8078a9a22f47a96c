/**
 * The fake workspace's people and user groups, and Slack's rendering of the mrkdwn our code sends:
 * a message says `<@U0APPROVER>`, and Slack shows each reader `@Ada Approver`. The ids are the
 * ones the local approvers configuration names (local-system.ts) and the tests use.
 */

export interface SandboxUser {
  /** The handle (`name` in users.info and interaction payloads). */
  name: string;
  /** What Slack shows for a mention: the display name. */
  displayName: string;
}

export const SANDBOX_USERS: Readonly<Record<string, SandboxUser>> = {
  U0APPROVER: { name: 'ada', displayName: 'Ada Approver' },
  U0GROUPMEMBER: { name: 'gus', displayName: 'Gus Groupmember' },
  U0LEAD: { name: 'lee', displayName: 'Lee Lead' },
  U0REQUESTER: { name: 'alice', displayName: 'Alice Requester' },
  U0STRANGER: { name: 'sam', displayName: 'Sam Stranger' },
};

/** User group handles, as a `<!subteam^S…>` mention shows them. */
export const SANDBOX_USER_GROUP_HANDLES: Readonly<Record<string, string>> = {
  S0APPROVERS: 'approvers',
  S0LEADS: 'leads',
};

/** Someone the directory does not know still has a name, as every Slack user does. */
export function sandboxUser(userId: string): SandboxUser {
  const known = SANDBOX_USERS[userId];
  if (known) return known;
  const name = `user-${userId.toLowerCase()}`;
  return { name, displayName: name };
}

/**
 * Text as Slack shows it to a person: mentions by name (`<@U…>` → `@Ada Approver`, user groups by
 * handle, `<!here>` → `@here`), dates by their fallback, links by label and URL, entities decoded.
 */
export function renderMrkdwn(text: string): string {
  const rendered = text.replace(/<([^<>]*)>/g, (_match, inner: string) => {
    const [target = '', label] = splitOnce(inner, '|');
    if (/^@[UW][A-Z0-9]+$/.test(target)) return `@${label ?? sandboxUser(target.slice(1)).displayName}`;
    if (target.startsWith('!subteam^')) {
      const id = target.slice('!subteam^'.length);
      return label ?? `@${SANDBOX_USER_GROUP_HANDLES[id] ?? id}`;
    }
    if (target.startsWith('!date^')) return label ?? target;
    if (target.startsWith('!')) return `@${target.slice(1)}`;
    if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
    return label !== undefined && label !== target ? `${label} (${target})` : target;
  });
  return rendered.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
