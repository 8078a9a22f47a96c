import { randomBytes } from 'node:crypto';
import { checkMessageContent } from './block-kit-rules.ts';
import {
  addMessage,
  BOT_ID,
  BOT_USER_ID,
  channelExists,
  directMessageChannel,
  findMessage,
  isUserId,
  newMessageTs,
  record,
  replaceMessageContent,
  type SlackState,
  type StoredMessage,
} from './state.ts';
import { sandboxUser } from './users.ts';

/** Arguments as the Web API received them: form values are strings, JSON bodies keep their types. */
export type SlackArgs = Record<string, unknown>;

export interface MethodContext {
  state: SlackState;
  nowMs: number;
  /** Scheme and host the caller used, kept on posted messages for their response URLs. */
  origin: string;
}

/** Answered as `{ok: false, error}` with HTTP 200, as Slack does. */
export class SlackMethodError extends Error {
  constructor(
    readonly error: string,
    readonly detail?: string,
  ) {
    super(error);
    this.name = 'SlackMethodError';
  }
}

type Method = (args: SlackArgs, context: MethodContext) => Record<string, unknown>;

/** The Web API methods the broker calls, answering Slack's response shapes. */
export const SLACK_METHODS: Record<string, Method> = {
  'auth.test': (_args, { state }) => ({
    url: 'https://sandbox.slack.com/',
    team: 'Sandbox',
    user: 'connection-broker',
    team_id: state.config.teamId,
    user_id: BOT_USER_ID,
    bot_id: BOT_ID,
    is_enterprise_install: false,
  }),

  'chat.postMessage': (args, { state, nowMs, origin }) => {
    const channel = postableChannel(state, args.channel);
    const { text, blocks } = content(args.text, args.blocks);
    const ts = newMessageTs(state, nowMs);
    const thread = typeof args.thread_ts === 'string' ? { threadTs: args.thread_ts } : {};
    // The text and blocks are kept once, in the post event; the message reads them from there.
    const post = record(state, nowMs, { kind: 'post', channel, ts, text: text ?? '', blocks: withBlockIds(blocks ?? []), ...thread });
    const message = addMessage(state, { channel, ts, origin, ...thread }, post);
    return { channel, ts: message.ts, message: messageView(state, message) };
  },

  'chat.update': (args, { state, nowMs }) => {
    const channel = existingChannel(state, args.channel);
    const message = typeof args.ts === 'string' ? findMessage(state, channel, args.ts) : undefined;
    if (!message) throw new SlackMethodError('message_not_found');
    // Slack keeps the text or blocks an update leaves out.
    const { text, blocks } = content(args.text ?? message.text, args.blocks ?? message.blocks);
    const update = record(state, nowMs, { kind: 'update', channel, ts: message.ts, text: text ?? '', blocks: withBlockIds(blocks ?? []) });
    const updated = replaceMessageContent(state, message, update);
    return { channel, ts: updated.ts, text: updated.text, message: messageView(state, updated) };
  },

  'chat.postEphemeral': (args, { state, nowMs }) => {
    const channel = existingChannel(state, args.channel);
    if (typeof args.user !== 'string' || !isUserId(args.user)) throw new SlackMethodError('user_not_in_channel');
    const { text, blocks } = content(args.text, args.blocks);
    const messageTs = newMessageTs(state, nowMs);
    record(state, nowMs, { kind: 'ephemeral', channel, ts: messageTs, user: args.user, text: text ?? '', blocks: blocks ?? [] });
    return { message_ts: messageTs };
  },

  'conversations.open': (args, { state }) => {
    const users = typeof args.users === 'string' ? args.users.split(',').filter(Boolean) : [];
    if (users.length === 0) throw new SlackMethodError('users_list_not_supplied');
    // Group DMs are not something the broker sends; refusing them keeps the fake honest about its reach.
    if (users.length > 1) throw new SlackMethodError('not_supported', 'the sandbox opens one-to-one DMs only');
    if (!isUserId(users[0]!)) throw new SlackMethodError('user_not_found');
    return { no_op: false, already_open: false, channel: { id: directMessageChannel(state, users[0]!) } };
  },

  // Needs usergroups:read. Slack answers no_such_subteam for an id it does not know.
  'usergroups.users.list': (args, { state }) => {
    if (typeof args.usergroup !== 'string' || args.usergroup === '') throw new SlackMethodError('invalid_arguments', 'usergroup is required');
    const members = state.config.userGroups[args.usergroup];
    if (!members) throw new SlackMethodError('no_such_subteam');
    return { users: [...members] };
  },

  'users.info': (args, { state }) => {
    if (typeof args.user !== 'string' || !isUserId(args.user)) throw new SlackMethodError('user_not_found');
    const { name, displayName } = sandboxUser(args.user);
    return {
      user: {
        id: args.user,
        team_id: state.config.teamId,
        name,
        real_name: displayName,
        deleted: false,
        is_bot: args.user === BOT_USER_ID,
        profile: { display_name: displayName, real_name: displayName },
      },
    };
  },
};

/** Text and blocks as given, checked against Block Kit; form bodies carry blocks as JSON text. */
export function content(text: unknown, blocks: unknown): { text: string | undefined; blocks: unknown[] | undefined } {
  let parsedBlocks = blocks;
  if (typeof blocks === 'string') {
    try {
      parsedBlocks = JSON.parse(blocks) as unknown;
    } catch {
      throw new SlackMethodError('invalid_blocks_format', '[ERROR] blocks must be a JSON array [json-pointer:/blocks]');
    }
  }
  if (text !== undefined && typeof text !== 'string') throw new SlackMethodError('invalid_arguments', 'text must be a string');
  const violation = checkMessageContent(text, parsedBlocks);
  if (violation) throw new SlackMethodError(violation.error, violation.detail);
  return { text, blocks: parsedBlocks as unknown[] | undefined };
}

/** What Slack returns as `message` and puts in interaction payloads. */
export function messageView(state: SlackState, message: StoredMessage): Record<string, unknown> {
  return {
    type: 'message',
    user: BOT_USER_ID,
    bot_id: BOT_ID,
    app_id: state.config.appId,
    team: state.config.teamId,
    text: message.text,
    blocks: message.blocks,
    ts: message.ts,
    ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
  };
}

/** A channel the bot may post to; a user id means the bot's DM with that user. */
function postableChannel(state: SlackState, channel: unknown): string {
  if (typeof channel === 'string' && isUserId(channel)) return directMessageChannel(state, channel);
  return existingChannel(state, channel);
}

function existingChannel(state: SlackState, channel: unknown): string {
  if (typeof channel !== 'string' || !channelExists(state, channel)) throw new SlackMethodError('channel_not_found');
  return channel;
}

/** Slack gives every block without a `block_id` a generated one, visible in payloads. */
function withBlockIds(blocks: unknown[]): unknown[] {
  return blocks.map((block) => {
    const value = block as Record<string, unknown>;
    return value.block_id === undefined ? { ...value, block_id: randomBytes(3).toString('base64url') } : value;
  });
}
