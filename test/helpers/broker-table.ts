import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTables, startDynamoDb, type LocalDynamoDb } from '../../infra/local/runtime/dynamodb.ts';
import { parseCloudFormationYaml } from '../deploy/cfn-yaml.ts';

export const TEST_TABLE = 'connection-broker-test';

/** An in-memory DynamoDB (dynalite) with the broker's table exactly as infra/resources/table.yml defines it. */
export async function startBrokerTable(): Promise<{ dynamo: LocalDynamoDb; client: DynamoDBClient; documents: DynamoDBDocumentClient }> {
  const dynamo = await startDynamoDb();
  const client = new DynamoDBClient({ endpoint: dynamo.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const resources = parseCloudFormationYaml(readFileSync(new URL('../../infra/resources/table.yml', import.meta.url), 'utf8')) as {
    Resources: { BrokerTable: { Properties: Record<string, unknown> } };
  };
  await ensureTables(client, [{ logicalId: 'BrokerTable', properties: resources.Resources.BrokerTable.Properties }], () => TEST_TABLE);
  return { dynamo, client, documents: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }) };
}
