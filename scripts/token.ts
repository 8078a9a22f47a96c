/**
 * `npm run -s token -- --sub alice@example.com [--admin] [--hours 12] [--email e] [--scope s]... [--slack-user U…] [--team t]...`
 *
 * Prints a token from the local issuer (infra/local/runtime/jwt.ts) and nothing else on
 * stdout, so `TOKEN=$(npm run -s token -- --sub a@b.c)` works. The audience defaults to
 * JWT_AUDIENCE, then to serverless.yml's default, as `jwtAudience` resolves there.
 * LOCAL_JWT_DIR overrides the key directory (default <repo>/.local/jwt).
 */
import { parseArgs } from 'node:util';
import { ADMIN_GROUP, DEFAULT_KEY_DIR, LOCAL_JWT_AUDIENCE, mintToken } from '../infra/local/runtime/jwt.ts';
import { parseCommandLine, usageError } from './cli.ts';

const USAGE = 'usage: npm run -s token -- --sub <subject> [--email <email>] [--admin] [--hours <n>] [--scope <scope>]... [--audience <aud>] [--slack-user <U…>] [--team <team>]... [--help]';

function fail(message: string): never {
  return usageError(USAGE, message);
}

const values = parseCommandLine(USAGE, () =>
  parseArgs({
    options: {
      sub: { type: 'string' },
      email: { type: 'string' },
      admin: { type: 'boolean', default: false },
      hours: { type: 'string', default: '12' },
      scope: { type: 'string', multiple: true, default: [] },
      audience: { type: 'string' },
      // The requester's Slack user id: the outcome then reaches them as a DM.
      'slack-user': { type: 'string' },
      team: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }),
);

if (values.sub === undefined || values.sub.trim() === '') fail('--sub is required');
const hours = Number(values.hours);
if (!Number.isFinite(hours) || hours <= 0) fail(`--hours must be a positive number, got "${values.hours}"`);

const token = await mintToken(
  {
    sub: values.sub,
    // A subject that is an email address doubles as the email claim unless one is given.
    ...(values.email !== undefined ? { email: values.email } : values.sub.includes('@') ? { email: values.sub } : {}),
    ...(values.admin ? { groups: [ADMIN_GROUP] } : {}),
    scopes: values.scope,
    ...(values['slack-user'] !== undefined ? { slackUserId: values['slack-user'] } : {}),
    teams: values.team,
    expiresInSeconds: Math.round(hours * 3600),
  },
  { keyDir: process.env.LOCAL_JWT_DIR ?? DEFAULT_KEY_DIR, audience: values.audience ?? process.env.JWT_AUDIENCE ?? LOCAL_JWT_AUDIENCE },
);
process.stdout.write(`${token}\n`);
