/**
 * DynamoDB for the local runtime: dynalite in-process (LevelDB on disk, or in memory),
 * with the tables from serverless.yml's resources created when missing.
 *
 * dynalite gaps to design around (measured, see shared/ref/toolchain-notes.md Q4): no
 * TransactWriteItems/TransactGetItems, no PartiQL, no Streams, no UpdateTimeToLive
 * (items never expire locally).
 */
import { mkdir } from 'node:fs/promises';
import { ACCEPT_BACKLOG } from '../accept-backlog.ts';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  ListTablesCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { acquireLock, type DirectoryLock } from './directory-lock.ts';
import type { LocalTable } from './service-config.ts';

export interface LocalDynamoDb {
  /** Point AWS_ENDPOINT_URL_DYNAMODB (or a client's `endpoint`) here. */
  url: string;
  port: number;
  startedInMs: number;
  close(): Promise<void>;
}

export interface StartDynamoDbOptions {
  /** LevelDB directory, e.g. `.local/ddb`; undefined keeps everything in memory. */
  path?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export async function startDynamoDb(options: StartDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  const started = performance.now();
  const path = options.path === undefined ? undefined : resolve(options.path);
  let lock: DirectoryLock | undefined;
  if (path !== undefined) {
    await mkdir(dirname(path), { recursive: true });
    lock = await acquireLock(`${path}.lock`, `The DynamoDB store ${path}`);
  }

  // Tables ACTIVE at once: the default 500 ms CREATING window only slows start-up.
  const server = dynalite({ ...(path === undefined ? {} : { path }), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  try {
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1', backlog: ACCEPT_BACKLOG }, () => {
        server.off('error', rejectListen);
        resolveListen();
      });
    });
  } catch (error) {
    await lock?.release();
    throw error;
  }

  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    port,
    startedInMs: performance.now() - started,
    close: async () => {
      // dynalite's close waits for the LevelDB store to shut; idle SDK keep-alive sockets would hold it open.
      const closed = new Promise<void>((resolveClose, rejectClose) => server.close((error) => (error ? rejectClose(error) : resolveClose())));
      server.closeIdleConnections();
      try {
        await closed;
      } finally {
        await lock?.release();
      }
    },
  };
}

export interface EnsureTablesResult {
  created: string[];
  existing: string[];
  /** Table properties dynalite cannot apply, per table name (e.g. TimeToLiveSpecification). */
  ignored: Record<string, string[]>;
  /** Existing tables whose keys or indexes differ from serverless.yml (an older local store). */
  mismatched: { tableName: string; reason: string }[];
}

export async function ensureTables(
  client: DynamoDBClient,
  tables: readonly LocalTable[],
  tableName: (logicalId: string) => string,
): Promise<EnsureTablesResult> {
  const present = new Set(await listTableNames(client));
  const result: EnsureTablesResult = { created: [], existing: [], ignored: {}, mismatched: [] };
  for (const table of tables) {
    const name = tableName(table.logicalId);
    const { input, ignored } = createTableInput(name, table.properties);
    if (ignored.length > 0) result.ignored[name] = ignored;
    if (present.has(name)) {
      result.existing.push(name);
      const reason = await schemaMismatch(client, input);
      if (reason !== undefined) result.mismatched.push({ tableName: name, reason });
      continue;
    }
    try {
      await client.send(new CreateTableCommand(input));
      result.created.push(name);
    } catch (error) {
      // Another process created it between our list and create.
      if (!(error instanceof ResourceInUseException)) throw error;
      result.existing.push(name);
    }
    await untilActive(client, name);
  }
  return result;
}

/**
 * dynalite answers CreateTable before the table is usable (on disk, and under load, even with
 * createTableMs 0); the first write would then find no table.
 */
async function untilActive(client: DynamoDBClient, tableName: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === 'ACTIVE') return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    if (Date.now() > deadline) throw new Error(`table ${tableName} did not become ACTIVE within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// CloudFormation properties CreateTable understands as they are.
const PASSED_THROUGH = ['AttributeDefinitions', 'KeySchema', 'BillingMode', 'ProvisionedThroughput', 'LocalSecondaryIndexes'] as const;
// Properties with no effect on a local table's data model; not reported as ignored.
const IRRELEVANT_LOCALLY = new Set(['TableName', 'Tags', 'SSESpecification', 'PointInTimeRecoverySpecification', 'ContributorInsightsSpecification', 'DeletionProtectionEnabled', 'TableClass']);

/** CloudFormation AWS::DynamoDB::Table Properties → a CreateTable request dynalite accepts. */
export function createTableInput(tableName: string, properties: Record<string, unknown>): { input: CreateTableCommandInput; ignored: string[] } {
  const input: Record<string, unknown> = { TableName: tableName };
  for (const key of PASSED_THROUGH) if (properties[key] !== undefined) input[key] = properties[key];
  if (Array.isArray(properties.GlobalSecondaryIndexes)) {
    // CloudFormation-only members (ContributorInsightsSpecification) are not CreateTable's.
    input.GlobalSecondaryIndexes = (properties.GlobalSecondaryIndexes as Record<string, unknown>[]).map(
      ({ IndexName, KeySchema, Projection, ProvisionedThroughput }) => ({
        IndexName,
        KeySchema,
        Projection,
        ...(ProvisionedThroughput === undefined ? {} : { ProvisionedThroughput }),
      }),
    );
  }
  const handled = new Set<string>([...PASSED_THROUGH, 'GlobalSecondaryIndexes', ...IRRELEVANT_LOCALLY]);
  const ignored = Object.keys(properties).filter((key) => !handled.has(key));
  return { input: input as unknown as CreateTableCommandInput, ignored };
}

async function listTableNames(client: DynamoDBClient): Promise<string[]> {
  const names: string[] = [];
  let ExclusiveStartTableName: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName }));
    names.push(...(page.TableNames ?? []));
    ExclusiveStartTableName = page.LastEvaluatedTableName;
  } while (ExclusiveStartTableName !== undefined);
  return names;
}

async function schemaMismatch(client: DynamoDBClient, wanted: CreateTableCommandInput): Promise<string | undefined> {
  const { Table: table } = await client.send(new DescribeTableCommand({ TableName: wanted.TableName }));
  if (keyText(table?.KeySchema) !== keyText(wanted.KeySchema)) {
    return `key schema is ${keyText(table?.KeySchema)}, serverless.yml says ${keyText(wanted.KeySchema)}`;
  }
  const indexes = (list: { IndexName?: string; KeySchema?: KeySchemaElement[] }[] | undefined) =>
    (list ?? []).map((index) => `${index.IndexName}(${keyText(index.KeySchema)})`).sort().join(', ');
  const actual = indexes(table?.GlobalSecondaryIndexes);
  const expected = indexes(wanted.GlobalSecondaryIndexes);
  return actual === expected ? undefined : `global secondary indexes are [${actual}], serverless.yml says [${expected}]`;
}

function keyText(schema: KeySchemaElement[] | undefined): string {
  return (schema ?? []).map((element) => `${element.AttributeName} ${element.KeyType}`).join(', ');
}
