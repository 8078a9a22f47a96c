import { clearCaches } from '@aws-lambda-powertools/parameters';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deadlineIn } from '../../shell/deadline.ts';
import { slackCredentials, SlackCredentialsError } from './credentials.ts';

const secretsManager = mockClient(SecretsManagerClient);
const SECRET = { signingSecret: 'a-signing-secret', botToken: 'xoxb-a-bot-token' };

/** The error a call failed with; fails the test if it succeeded. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error as Error,
  );
  if (!outcome) throw new Error('expected the call to fail');
  return outcome;
}

beforeEach(() => {
  secretsManager.reset();
  clearCaches();
});
afterEach(() => clearCaches());

describe('slackCredentials', () => {
  it('reads both values from the environment where no secret is named (locally)', async () => {
    expect(await slackCredentials({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-t' })).toEqual({ signingSecret: 's', botToken: 'xoxb-t' });
    expect(await slackCredentials({ SLACK_SIGNING_SECRET: 's' })).toBeUndefined();
    expect(await slackCredentials({})).toBeUndefined();
    expect(secretsManager.calls()).toHaveLength(0);
  });

  it('reads the JSON secret named by SLACK_SECRET_ID through Powertools, and caches it', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(SECRET) });
    const env = { SLACK_SECRET_ID: 'connection-broker/dev/slack', SLACK_BOT_TOKEN: 'xoxb-ignored' };
    expect(await slackCredentials(env)).toEqual(SECRET);
    expect(await slackCredentials(env)).toEqual(SECRET);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secretsManager.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toMatchObject({ SecretId: 'connection-broker/dev/slack' });
  });

  it('says which field of the secret is wrong, never its value', async () => {
    const read = async () => ({ signingSecret: 'leak-me-not', botToken: 'xoxp-a-user-token' });
    const error = await failure(slackCredentials({ SLACK_SECRET_ID: 's' }, read));
    expect(error).toBeInstanceOf(SlackCredentialsError);
    expect(error.message).toContain('botToken');
    expect(error.message).not.toMatch(/leak-me-not|xoxp-a-user-token/);
  });

  it('reports a secret that is not JSON without quoting it', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'xoxb-plain-text-token' });
    const error = await failure(slackCredentials({ SLACK_SECRET_ID: 'plain' }));
    expect(error).toBeInstanceOf(SlackCredentialsError);
    expect(`${error.message} ${String(error.cause)}`).not.toContain('xoxb-plain-text-token');
  });

  it('reports a missing secret by name', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    await expect(slackCredentials({ SLACK_SECRET_ID: 'missing' })).rejects.toThrow('could not read the Slack secret missing');
  });

  it('gives up a secret read that does not finish by the deadline', async () => {
    const neverAnswers = () => new Promise<unknown>(() => undefined);
    const started = Date.now();
    const error = await failure(slackCredentials({ SLACK_SECRET_ID: 'slow' }, neverAnswers, deadlineIn(100)));
    expect(error).toBeInstanceOf(SlackCredentialsError);
    expect(error.message).toBe('could not read the Slack secret slow (DeadlineExceededError)');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
