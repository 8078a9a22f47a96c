import * as z from '../zod-mini.ts';

/**
 * The part of Slack's `block_actions` interaction payload we act on. Unknown fields (including
 * the legacy verification `token`) are dropped: the signature, not that token, authenticates Slack.
 * https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 */
const nonEmpty = z.string().check(z.minLength(1));

const httpUrl = z.url({ protocol: /^https?$/ });

const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  team: z.object({ id: nonEmpty }),
  api_app_id: nonEmpty,
  user: z.object({ id: nonEmpty, username: z.optional(z.string()) }),
  actions: z
    .array(
      z.object({
        // Block Kit limits: 255 characters for ids, 2000 for a button value.
        action_id: nonEmpty.check(z.maxLength(255)),
        value: z.string().check(z.maxLength(2000)),
        block_id: z.optional(z.string().check(z.maxLength(255))),
      }),
    )
    .check(z.minLength(1)),
  response_url: z.optional(httpUrl),
  message: z.optional(z.object({ ts: nonEmpty })),
  channel: z.optional(z.object({ id: nonEmpty })),
  container: z.optional(
    z.object({
      type: nonEmpty,
      message_ts: z.optional(z.string()),
      channel_id: z.optional(z.string()),
      is_ephemeral: z.optional(z.boolean()),
    }),
  ),
});

export type BlockActionsPayload = z.infer<typeof blockActionsSchema>;

/** The interaction body could not be read; `field` names what was wrong (`payload`, `actions.0.value`, ...). */
export class InteractionPayloadError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'InteractionPayloadError';
  }
}

/**
 * Reads a verified interactivity request body (`payload=<json>`, form-encoded) into a typed
 * `block_actions` payload. Call only after the signature check passed.
 */
export function parseInteractionPayload(rawBody: string): BlockActionsPayload {
  const payloadText = new URLSearchParams(rawBody).get('payload');
  if (payloadText === null || payloadText === '') {
    throw new InteractionPayloadError('payload', 'the form body has no payload field');
  }
  let json: unknown;
  try {
    json = JSON.parse(payloadText);
  } catch {
    throw new InteractionPayloadError('payload', 'is not valid JSON');
  }
  const result = blockActionsSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'payload';
    throw new InteractionPayloadError(field, issue.message);
  }
  return result.data;
}
