import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import * as z from '../zod-mini.ts';
import { NO_DEADLINE, withinDeadline, type Deadline } from '../../shell/deadline.ts';
import { slackClientWithin, type SlackClient, type SlackClientProfile } from './client.ts';

/**
 * The Slack app's two secrets: the signing secret (verifies that a request comes from Slack) and
 * the bot token (lets us post). On AWS they live in one Secrets Manager secret named by
 * `SLACK_SECRET_ID`, as JSON `{"signingSecret": "…", "botToken": "xoxb-…"}`, read through Powertools
 * Parameters and cached for five minutes, so a rotation reaches every container within five
 * minutes without a deployment. Locally (and wherever `SLACK_SECRET_ID` is empty) they come from
 * `SLACK_SIGNING_SECRET` and `SLACK_BOT_TOKEN`. Neither value is ever logged.
 */
export interface SlackCredentials {
  signingSecret: string;
  botToken: string;
}

/** A fetched secret is reused this long; Powertools' default of 5 s would fetch on nearly every click. */
export const SLACK_SECRET_MAX_AGE_SECONDS = 300;

const secretSchema = z.object({
  signingSecret: z.string().check(z.minLength(1)),
  botToken: z.string().check(z.regex(/^xoxb-/, 'must be a bot token (xoxb-…)')),
});

/** The secret exists but does not hold what we need; says which field, never the value. */
export class SlackCredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlackCredentialsError';
  }
}

export type SecretReader = (secretId: string) => Promise<unknown>;

const readFromSecretsManager: SecretReader = (secretId) => getSecret(secretId, { transform: 'json', maxAge: SLACK_SECRET_MAX_AGE_SECONDS });

/**
 * The credentials, or undefined when Slack is not configured at all (the broker then works without
 * it). A read of the secret (a cold one: the cache is per container) is given up at `deadline`.
 */
export async function slackCredentials(
  env: NodeJS.ProcessEnv = process.env,
  readSecret: SecretReader = readFromSecretsManager,
  deadline: Deadline = NO_DEADLINE,
): Promise<SlackCredentials | undefined> {
  const secretId = env.SLACK_SECRET_ID;
  if (!secretId) {
    const signingSecret = env.SLACK_SIGNING_SECRET;
    const botToken = env.SLACK_BOT_TOKEN;
    return signingSecret && botToken ? { signingSecret, botToken } : undefined;
  }
  let value: unknown;
  try {
    // Given up, the read may still finish in the background and fill the cache for the next call.
    value = await withinDeadline(readSecret(secretId), deadline, 'reading the Slack secret');
  } catch (error) {
    // Only the error's name: a JSON parse error's message quotes the start of the secret's value,
    // and a logged cause would carry it along.
    throw new SlackCredentialsError(`could not read the Slack secret ${secretId} (${(error as Error).name})`);
  }
  const parsed = secretSchema.safeParse(value);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(the secret)').join(', ');
    throw new SlackCredentialsError(`the Slack secret ${secretId} must be JSON {"signingSecret", "botToken"}; wrong or missing: ${fields}`);
  }
  return parsed.data;
}

/**
 * A Slack client with the current bot token, or undefined when Slack is not configured. With a
 * deadline, the secret read and every call of the client end by then (see slackClientWithin).
 */
export async function slackBotClient(profile: SlackClientProfile = 'background', deadline: Deadline = NO_DEADLINE): Promise<SlackClient | undefined> {
  const credentials = await slackCredentials(process.env, readFromSecretsManager, deadline);
  return credentials && slackClientWithin(credentials.botToken, profile, deadline);
}
