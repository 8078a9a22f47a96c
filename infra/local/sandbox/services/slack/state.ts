import type { SandboxStore } from '../../store.ts';

/** The fake Slack workspace: one per sandbox, kept in the store so `POST /_sandbox/reset` clears it. */
export const SLACK_SLICE = 'slack';

/** Who the bot is in the fake workspace (what `auth.test` answers). */
export const BOT_USER_ID = 'U0SANDBOXBOT';
export const BOT_ID = 'B0SANDBOXBOT';

/** Slack keeps a response URL usable five times within thirty minutes of the interaction. */
export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_LIFETIME_MS = 30 * 60 * 1000;

export interface SlackConfig {
  /** Signs what `/_sandbox/slack/click` delivers; unset until a test or `npm start` configures it. */
  signingSecret?: string;
  /** Where clicks are delivered: the app's Interactivity Request URL. */
  interactivityUrl?: string;
  botToken: string;
  teamId: string;
  appId: string;
  /** Channels the bot is a member of; anything else is `channel_not_found`. */
  channels: string[];
  /** How long Slack waits for the interactivity answer before it shows the user an error. */
  ackTimeoutMs: number;
  /** User group id (`S…`) → member user ids, for `usergroups.users.list`. */
  userGroups: Record<string, string[]>;
}

export const DEFAULT_SLACK_CONFIG: SlackConfig = {
  botToken: 'xoxb-sandbox-bot-token',
  teamId: 'T0SANDBOX',
  appId: 'A0SANDBOX',
  channels: ['C0APPROVALS', 'C0HOSTADMINS', 'C0ESCALATIONS'],
  ackTimeoutMs: 3000,
  // The local approvers configuration (local-system.ts) names these groups.
  userGroups: { S0APPROVERS: ['U0GROUPMEMBER'], S0LEADS: ['U0LEAD'] },
};

/** A message as it currently reads in its channel. */
export interface StoredMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  threadTs?: string;
  deleted?: boolean;
  /** Scheme and host the poster reached us on; response URLs for clicks on it point back there. */
  origin: string;
}

/**
 * A message as the state keeps it: where it is, and which recorded event it reads as (its post,
 * or the update or response that last replaced it). Its text and blocks are kept in that event
 * only, so that each is stored once.
 */
export interface MessageRecord extends Omit<StoredMessage, 'text' | 'blocks'> {
  contentSeq: number;
}

/** One thing our code made Slack show: what tests and the token scan read. */
export interface RecordedSlackEvent {
  seq: number;
  kind: 'post' | 'update' | 'ephemeral' | 'response';
  /** Sandbox-clock time, ISO 8601. */
  at: string;
  channel: string;
  ts?: string;
  /** For a post in a thread: the parent message's ts. */
  threadTs?: string;
  /** The user an ephemeral message was shown to. */
  user?: string;
  text?: string;
  blocks?: unknown[];
  /** For `response`: the response URL id and what the POST asked for. */
  responseUrlId?: string;
  replaceOriginal?: boolean;
  deleteOriginal?: boolean;
  responseType?: 'ephemeral' | 'in_channel';
}

export interface ResponseUrlRecord {
  id: string;
  channel: string;
  ts: string;
  userId: string;
  uses: number;
  expiresAtMs: number;
}

export interface SlackState {
  config: SlackConfig;
  seq: number;
  messages: MessageRecord[];
  /** In `seq` order; `messages` read their text and blocks from here. */
  events: RecordedSlackEvent[];
  responseUrls: Record<string, ResponseUrlRecord>;
  /** User id → the bot's DM channel with that user. */
  directMessages: Record<string, string>;
  /** The next `remaining` Web API calls answer 429 with this Retry-After. */
  rateLimit: { remaining: number; retryAfterSeconds: number };
  /** Real milliseconds every Web API call and response-URL POST waits before it is answered: a slow Slack. */
  latencyMs: number;
  /** The last interactivity requests sent, byte for byte, so a test can replay one as an attacker would. */
  deliveries: SignedDelivery[];
}

/** One signed request to the Interactivity URL, as it went over the wire. */
export interface SignedDelivery {
  id: string;
  body: string;
  timestamp: string;
  signature: string;
}

/** Older deliveries are forgotten: replays are about recent requests (Slack's window is five minutes). */
export const MAX_KEPT_DELIVERIES = 50;

/** The store each Slack state lives in, so that the helpers below tell it which records they change. */
const stores = new WeakMap<SlackState, SandboxStore>();

/** Tells the store that one record of the Slack state changed (a field of it, without `key`). */
export function slackChanged(state: SlackState, field: keyof SlackState & string, key?: string | number): void {
  stores.get(state)?.markChanged(state, field, key);
}

export function slackState(store: SandboxStore): SlackState {
  const state = store.slice<SlackState>(SLACK_SLICE, [], () => ({
    config: { ...DEFAULT_SLACK_CONFIG, channels: [...DEFAULT_SLACK_CONFIG.channels], userGroups: structuredClone(DEFAULT_SLACK_CONFIG.userGroups) },
    seq: 0,
    messages: [],
    events: [],
    responseUrls: {},
    directMessages: {},
    rateLimit: { remaining: 0, retryAfterSeconds: 0 },
    latencyMs: 0,
    deliveries: [],
  }));
  // A state file saved before user groups and deliveries existed gets them on first use.
  state.config.userGroups ??= structuredClone(DEFAULT_SLACK_CONFIG.userGroups);
  state.deliveries ??= [];
  state.latencyMs ??= 0;
  stores.set(state, store);
  return state;
}

export function nextSeq(state: SlackState): number {
  state.seq += 1;
  slackChanged(state, 'seq');
  return state.seq;
}

/** Slack's message timestamp: epoch seconds and a six-digit suffix that makes it unique. */
export function newMessageTs(state: SlackState, nowMs: number): string {
  return `${Math.floor(nowMs / 1000)}.${String(nextSeq(state) % 1_000_000).padStart(6, '0')}`;
}

/** The message as it now reads, unless there is none (or it was deleted). */
export function findMessage(state: SlackState, channel: string, ts: string): StoredMessage | undefined {
  const index = messageIndex(state, channel, ts);
  return index === -1 ? undefined : readMessage(state, state.messages[index]!);
}

export function record(state: SlackState, nowMs: number, event: Omit<RecordedSlackEvent, 'seq' | 'at'>): RecordedSlackEvent {
  const recorded = { seq: nextSeq(state), at: new Date(nowMs).toISOString(), ...event };
  state.events.push(recorded);
  slackChanged(state, 'events', state.events.length - 1);
  return recorded;
}

/** A new message in a channel, reading as `content` (its post, or an in-channel response) says. */
export function addMessage(state: SlackState, message: Omit<MessageRecord, 'contentSeq'>, content: RecordedSlackEvent): StoredMessage {
  const stored: MessageRecord = { ...message, contentSeq: content.seq };
  state.messages.push(stored);
  slackChanged(state, 'messages', state.messages.length - 1);
  return readMessage(state, stored);
}

/** The message now reads as `content` (an update, or a response that replaced it) says. */
export function replaceMessageContent(state: SlackState, message: Pick<StoredMessage, 'channel' | 'ts'>, content: RecordedSlackEvent): StoredMessage {
  const index = messageIndex(state, message.channel, message.ts);
  const stored = state.messages[index]!;
  stored.contentSeq = content.seq;
  delete (stored as Partial<StoredMessage>).text;
  delete (stored as Partial<StoredMessage>).blocks;
  slackChanged(state, 'messages', index);
  return readMessage(state, stored);
}

export function deleteMessage(state: SlackState, message: Pick<StoredMessage, 'channel' | 'ts'>): void {
  const index = messageIndex(state, message.channel, message.ts);
  if (index === -1) return;
  state.messages[index]!.deleted = true;
  slackChanged(state, 'messages', index);
}

function messageIndex(state: SlackState, channel: string, ts: string): number {
  return state.messages.findIndex((message) => message.channel === channel && message.ts === ts && !message.deleted);
}

function readMessage(state: SlackState, { contentSeq, ...message }: MessageRecord): StoredMessage {
  // A state file from before messages were kept once still holds their text and blocks inline.
  const content = eventBySeq(state, contentSeq) ?? (message as Partial<StoredMessage>);
  return { ...message, text: content.text ?? '', blocks: content.blocks ?? [] };
}

/** Events are appended in `seq` order: a binary search finds one. */
function eventBySeq(state: SlackState, seq: number | undefined): RecordedSlackEvent | undefined {
  if (seq === undefined) return undefined;
  let low = 0;
  let high = state.events.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const candidate = state.events[middle]!;
    if (candidate.seq === seq) return candidate;
    if (candidate.seq < seq) low = middle + 1;
    else high = middle - 1;
  }
  return undefined;
}

export function isUserId(value: string): boolean {
  return /^[UW][A-Z0-9]{2,20}$/.test(value);
}

/** The bot's DM channel id with a user (deterministic, so tests can predict it). */
export function directMessageChannel(state: SlackState, userId: string): string {
  if (!Object.hasOwn(state.directMessages, userId)) {
    state.directMessages[userId] = `D${userId.slice(1)}`;
    slackChanged(state, 'directMessages', userId);
  }
  return state.directMessages[userId]!;
}

export function channelExists(state: SlackState, channel: string): boolean {
  return state.config.channels.includes(channel) || Object.values(state.directMessages).includes(channel);
}
