import * as z from '../adapters/zod-mini.ts';
import { normaliseProviderEndpoint } from '../request/endpoint.ts';

/**
 * Who may approve a connection, per GitHub Enterprise Server endpoint, read from the `SLACK_APPROVERS`
 * setting (JSON). Keys are `default` or a GHES URL (normalised like requests are, so
 * `https://GHE.example.com/` and `https://ghe.example.com` are one key):
 *
 * ```json
 * {
 *   "default": {
 *     "users": ["U0123APPROVER"],
 *     "userGroups": ["S0123PLATFORM"],
 *     "escalation": { "channel": "C0123LEADS", "users": [], "userGroups": ["S0123LEADS"] }
 *   },
 *   "https://ghe.example.com": { "users": ["U0456OWNER"] }
 * }
 * ```
 *
 * An endpoint's entry replaces the default's `users` and `userGroups` as a whole (a list that
 * silently grew from the default would be a surprise in an allow-list); its `escalation` falls back
 * to the default's when it has none. Escalation contacts may approve too, at any stage: they are
 * the people an overdue approval is handed to, so refusing them before the escalation would only
 * slow things down. No entry for an endpoint and no default means nobody may approve in Slack
 * (admins still can through the API): an allow-list fails closed.
 */

/** Slack user ids (`U…`, `W…` on Enterprise Grid), user group ids (`S…`) and channel ids (`C…`, `G…`). */
const USER_ID = /^[UW][A-Z0-9]{2,20}$/;
const USER_GROUP_ID = /^S[A-Z0-9]{2,20}$/;
const CHANNEL_ID = /^[CG][A-Z0-9]{2,20}$/;

const users = z._default(z.array(z.string().check(z.regex(USER_ID, 'must be a Slack user id such as U0123ABCD'))).check(z.maxLength(100)), []);
const userGroups = z._default(z.array(z.string().check(z.regex(USER_GROUP_ID, 'must be a Slack user group id such as S0123ABCD'))).check(z.maxLength(20)), []);

const escalationSchema = z.strictObject({
  channel: z.optional(z.string().check(z.regex(CHANNEL_ID, 'must be a Slack channel id such as C0123ABCD'))),
  users,
  userGroups,
});

const entrySchema = z.strictObject({ users, userGroups, escalation: z.optional(escalationSchema) });

export interface ApproverSet {
  users: string[];
  userGroups: string[];
}

export interface Escalation extends ApproverSet {
  /** Where the escalation is posted; the approvers' channel when unset. */
  channel?: string;
}

/** Everything one approval needs to know about people: who may decide, and whom to escalate to. */
export interface ApprovalPolicy {
  approvers: ApproverSet;
  escalation: Escalation | undefined;
}

export interface ApproversConfig {
  default: z.infer<typeof entrySchema> | undefined;
  /** By normalised GHES URL. */
  endpoints: Record<string, z.infer<typeof entrySchema>>;
}

/** The `SLACK_APPROVERS` setting is not valid; the message names the key and what is wrong. */
export class ApproversConfigError extends Error {
  constructor(message: string) {
    super(`SLACK_APPROVERS: ${message}`);
    this.name = 'ApproversConfigError';
  }
}

/** Reads the setting; empty or unset means "nobody may approve in Slack". */
export function parseApproversConfig(text: string | undefined): ApproversConfig {
  if (text === undefined || text.trim() === '') return { default: undefined, endpoints: {} };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApproversConfigError('is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ApproversConfigError('must be a JSON object whose keys are "default" or GHES URLs');
  }
  const config: ApproversConfig = { default: undefined, endpoints: {} };
  for (const [key, value] of Object.entries(json)) {
    const parsed = entrySchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ApproversConfigError(`"${key}"${issue.path.map((part) => `.${String(part)}`).join('')}: ${issue.message}`);
    }
    if (key === 'default') {
      config.default = parsed.data;
      continue;
    }
    let endpoint: string;
    try {
      endpoint = normaliseProviderEndpoint(key).url;
    } catch {
      throw new ApproversConfigError(`"${key}" is neither "default" nor a GHES URL such as https://ghe.example.com`);
    }
    if (config.endpoints[endpoint]) throw new ApproversConfigError(`"${key}" repeats the entry for ${endpoint}`);
    config.endpoints[endpoint] = parsed.data;
  }
  return config;
}

/**
 * The policy for one request's endpoint (already normalised, as request records hold it). A spoke
 * account registered with approvers of its own (`accountApprovers`) has them decide instead of the
 * endpoint's or the default approvers; the escalation stays the broker's.
 */
export function approvalPolicyFor(config: ApproversConfig, providerEndpoint: string, accountApprovers?: readonly string[]): ApprovalPolicy {
  const entry = config.endpoints[providerEndpoint] ?? config.default;
  const escalation = entry?.escalation ?? config.default?.escalation;
  return {
    approvers: accountApprovers?.length ? { users: [...accountApprovers], userGroups: [] } : { users: entry?.users ?? [], userGroups: entry?.userGroups ?? [] },
    escalation: escalation && { ...escalation },
  };
}

/** Everyone whose click counts: the approvers and the escalation contacts. */
export function decidersOf(policy: ApprovalPolicy): ApproverSet {
  const unique = (values: string[]) => [...new Set(values)];
  return {
    users: unique([...policy.approvers.users, ...(policy.escalation?.users ?? [])]),
    userGroups: unique([...policy.approvers.userGroups, ...(policy.escalation?.userGroups ?? [])]),
  };
}

export function hasAnyone(set: ApproverSet): boolean {
  return set.users.length > 0 || set.userGroups.length > 0;
}

export type Authorization = { allowed: true; via: 'user' | { userGroup: string } } | { allowed: false };

/**
 * Whether `userId` may decide. A user listed by id needs no Slack call; otherwise each user group's
 * members are looked up (`usergroups.users.list`), in order, until one contains the user.
 */
export async function authorizeDecider(
  deciders: ApproverSet,
  userId: string,
  membersOf: (userGroup: string) => Promise<readonly string[]>,
): Promise<Authorization> {
  if (deciders.users.includes(userId)) return { allowed: true, via: 'user' };
  for (const userGroup of deciders.userGroups) {
    if ((await membersOf(userGroup)).includes(userId)) return { allowed: true, via: { userGroup } };
  }
  return { allowed: false };
}

/** `<@U…>` and `<!subteam^S…>` mentions, so the people concerned are notified. */
export function mentionsOf(set: ApproverSet): string[] {
  return [...set.users.map((user) => `<@${user}>`), ...set.userGroups.map((group) => `<!subteam^${group}>`)];
}
