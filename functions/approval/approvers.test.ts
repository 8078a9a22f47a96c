import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  approvalPolicyFor,
  ApproversConfigError,
  authorizeDecider,
  decidersOf,
  mentionsOf,
  parseApproversConfig,
} from './approvers.ts';

const CONFIG = JSON.stringify({
  default: { users: ['U0DEFAULT'], userGroups: ['S0PLATFORM'], escalation: { channel: 'C0LEADS', userGroups: ['S0LEADS'] } },
  'https://GHE.example.com:443/': { users: ['U0GHEOWNER'] },
  'https://other.example.com': { userGroups: ['S0OTHER'], escalation: { users: ['U0BOSS'] } },
});

describe('parseApproversConfig', () => {
  it('reads the default and per-endpoint entries, keyed by the normalised GHES URL', () => {
    const config = parseApproversConfig(CONFIG);
    expect(config.default).toEqual({ users: ['U0DEFAULT'], userGroups: ['S0PLATFORM'], escalation: { channel: 'C0LEADS', users: [], userGroups: ['S0LEADS'] } });
    expect(Object.keys(config.endpoints)).toEqual(['https://ghe.example.com', 'https://other.example.com']);
    expect(config.endpoints['https://ghe.example.com']).toEqual({ users: ['U0GHEOWNER'], userGroups: [] });
  });

  it('treats an empty setting as "nobody may approve in Slack"', () => {
    for (const empty of [undefined, '', '  ']) expect(parseApproversConfig(empty)).toEqual({ default: undefined, endpoints: {} });
    expect(approvalPolicyFor(parseApproversConfig(''), 'https://ghe.example.com')).toEqual({ approvers: { users: [], userGroups: [] }, escalation: undefined });
  });

  it.each([
    ['{', 'is not valid JSON'],
    ['[]', 'must be a JSON object'],
    ['{"default": {"users": ["alice"]}}', '"default".users.0: must be a Slack user id'],
    ['{"default": {"userGroups": ["U0NOTAGROUP"]}}', '"default".userGroups.0: must be a Slack user group id'],
    ['{"default": {"escalation": {"channel": "#leads"}}}', '"default".escalation.channel: must be a Slack channel id'],
    ['{"default": {"user": ["U0TYPO"]}}', '"default"'],
    ['{"ghe.example.com": {}}', '"ghe.example.com" is neither "default" nor a GHES URL'],
    ['{"https://ghe.example.com": {}, "https://GHE.example.com/": {}}', 'repeats the entry for https://ghe.example.com'],
  ])('refuses %s, saying where (%s)', (text, message) => {
    expect(() => parseApproversConfig(text)).toThrow(ApproversConfigError);
    expect(() => parseApproversConfig(text)).toThrow(message);
  });

  it.each(['null', '"text"', '42', 'true'])('refuses the JSON value %s with its own error', (text) => {
    expect(() => parseApproversConfig(text)).toThrow(expect.objectContaining({ name: 'ApproversConfigError' }));
  });

  it('takes only whole Slack ids: users U… or W…, user groups S…, channels C… or G…', () => {
    const valid = (entry: unknown) => () => parseApproversConfig(JSON.stringify({ default: entry }));
    for (const user of ['U0ALICE!', 'xU0ALICE']) expect(valid({ users: [user] }), user).toThrow(ApproversConfigError);
    for (const userGroup of ['S0PLATFORM!', 'xS0PLATFORM', 'S0']) expect(valid({ userGroups: [userGroup] }), userGroup).toThrow(ApproversConfigError);
    for (const channel of ['C0LEADS!', 'xC0LEADS', 'D0LEADS', 'C0', 'C0leads']) expect(valid({ escalation: { channel } }), channel).toThrow(ApproversConfigError);
    for (const channel of ['C0LEADS', 'G0PRIVATE', 'C01']) expect(valid({ escalation: { channel } })(), channel).toMatchObject({ default: { escalation: { channel } } });
  });
});

describe('approvalPolicyFor', () => {
  // Parsed inside each test, not while the file loads, so mutation testing can tell which tests use it.
  let config: ReturnType<typeof parseApproversConfig>;
  beforeEach(() => {
    config = parseApproversConfig(CONFIG);
  });

  it('uses an endpoint’s own approvers instead of the default’s, and falls back to the default’s escalation', () => {
    expect(approvalPolicyFor(config, 'https://ghe.example.com')).toEqual({
      approvers: { users: ['U0GHEOWNER'], userGroups: [] },
      escalation: { channel: 'C0LEADS', users: [], userGroups: ['S0LEADS'] },
    });
  });

  it('uses an endpoint’s own escalation when it has one', () => {
    expect(approvalPolicyFor(config, 'https://other.example.com').escalation).toEqual({ users: ['U0BOSS'], userGroups: [] });
  });

  it('uses the default for endpoints without an entry', () => {
    expect(approvalPolicyFor(config, 'https://elsewhere.example.com').approvers).toEqual({ users: ['U0DEFAULT'], userGroups: ['S0PLATFORM'] });
  });

  it("has a spoke account's own approvers decide instead, keeping the broker's escalation", () => {
    const policy = approvalPolicyFor(config, 'https://other.example.com', ['U0SPOKE']);
    expect(policy.approvers).toEqual({ users: ['U0SPOKE'], userGroups: [] });
    expect(policy.escalation).toEqual(approvalPolicyFor(config, 'https://other.example.com').escalation);
  });

  it('lets the escalation contacts decide too, without duplicates', () => {
    const policy = approvalPolicyFor(config, 'https://other.example.com');
    expect(decidersOf(policy)).toEqual({ users: ['U0BOSS'], userGroups: ['S0OTHER'] });
    expect(decidersOf({ approvers: { users: ['U1', 'U2'], userGroups: [] }, escalation: { users: ['U2'], userGroups: [] } }).users).toEqual(['U1', 'U2']);
  });
});

describe('authorizeDecider', () => {
  const deciders = { users: ['U0LISTED'], userGroups: ['S0FIRST', 'S0SECOND'] };
  const groups: Record<string, string[]> = { S0FIRST: ['U0A'], S0SECOND: ['U0B'] };

  it('allows a listed user without asking Slack', async () => {
    const membersOf = vi.fn(async (group: string) => groups[group] ?? []);
    expect(await authorizeDecider(deciders, 'U0LISTED', membersOf)).toEqual({ allowed: true, via: 'user' });
    expect(membersOf).not.toHaveBeenCalled();
  });

  it('allows a member of a user group, and stops looking once found', async () => {
    const membersOf = vi.fn(async (group: string) => groups[group] ?? []);
    expect(await authorizeDecider(deciders, 'U0A', membersOf)).toEqual({ allowed: true, via: { userGroup: 'S0FIRST' } });
    expect(membersOf).toHaveBeenCalledTimes(1);
    expect(await authorizeDecider(deciders, 'U0B', membersOf)).toEqual({ allowed: true, via: { userGroup: 'S0SECOND' } });
  });

  it('refuses everyone else', async () => {
    expect(await authorizeDecider(deciders, 'U0STRANGER', async (group) => groups[group] ?? [])).toEqual({ allowed: false });
    expect(await authorizeDecider({ users: [], userGroups: [] }, 'U0LISTED', async () => [])).toEqual({ allowed: false });
  });

  it('lets a failed membership lookup fail the check (the caller refuses)', async () => {
    await expect(authorizeDecider(deciders, 'U0A', async () => Promise.reject(new Error('ratelimited')))).rejects.toThrow('ratelimited');
  });
});

describe('mentionsOf', () => {
  it('mentions users and user groups the way Slack notifies them', () => {
    expect(mentionsOf({ users: ['U0A'], userGroups: ['S0B'] })).toEqual(['<@U0A>', '<!subteam^S0B>']);
  });
});
