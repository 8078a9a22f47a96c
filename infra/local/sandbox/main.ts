/**
 * `npm run sandbox`: the AWS sandbox on its own.
 * PORT (default 4566), SANDBOX_HOST (127.0.0.1), SANDBOX_STATE (.local/sandbox/state.json; "memory" to persist nothing),
 * SANDBOX_ACCOUNT_ID (111111111111).
 */
import { resolve } from 'node:path';
import { Sandbox } from './server.ts';

const port = Number(process.env.SANDBOX_PORT ?? process.env.PORT ?? 4566);
const host = process.env.SANDBOX_HOST ?? '127.0.0.1';
const stateSetting = process.env.SANDBOX_STATE ?? '.local/sandbox/state.json';
const statePath = stateSetting === 'memory' ? undefined : resolve(stateSetting);

const sandbox = await Sandbox.start({
  port,
  host,
  statePath,
  config: process.env.SANDBOX_ACCOUNT_ID ? { defaultAccountId: process.env.SANDBOX_ACCOUNT_ID } : {},
});

console.log(`AWS sandbox listening on ${sandbox.url}`);
console.log(`  state: ${statePath ?? 'in memory'}; account ${sandbox.config.defaultAccountId}`);
console.log(`  control API: ${sandbox.url}/_sandbox (GET it for the list of routes)`);
console.log(`  try: AWS_CONFIG_FILE=infra/local/aws-cli.config aws codestar-connections list-hosts --endpoint-url ${sandbox.url} --region us-east-1`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.close().then(() => process.exit(0));
  });
}
