/**
 * `npm run backfill-status-indexes -- --table <name>`: once, after upgrading a stack made before the
 * status indexes (README "Upgrading"), puts every older request into the status lists. Uses the
 * AWS credentials and Region of the environment (AWS_PROFILE, AWS_REGION), like the AWS CLI.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseArgs } from 'node:util';
import { BrokerStore } from '../functions/request/store.ts';
import { parseCommandLine, usageError } from './cli.ts';

const USAGE = [
  'usage: npm run backfill-status-indexes -- --table <name>',
  "  rewrites the request items written before gsi3/gsi4 existed, so GET /v1/connection-requests?status= finds them;",
  '  safe to repeat; uses the environment\'s AWS credentials and Region (AWS_PROFILE, AWS_REGION)',
].join('\n');

const values = parseCommandLine(USAGE, () =>
  parseArgs({ options: { table: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }),
);
if (!values.table) usageError(USAGE, '--table is required (the stack output BrokerTableName)');

const client = new DynamoDBClient({});
try {
  const { scanned, rewritten } = await new BrokerStore(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), values.table!).backfillStatusIndexes();
  process.stdout.write(`${values.table}: ${rewritten} request(s) put into the status indexes (${scanned} items scanned).\n`);
} catch (error) {
  process.stderr.write(`${values.table}: ${(error as Error).name}: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  client.destroy();
}
