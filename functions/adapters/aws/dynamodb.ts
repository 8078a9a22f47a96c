import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ClientProvider } from '../aws-clients.ts';
import { traced } from './traced.ts';

export const documentsClient: ClientProvider<'documents'> = {
  name: 'documents',
  build: () => DynamoDBDocumentClient.from(dynamoDbClient(), { marshallOptions: { removeUndefinedValues: true } }),
};

const plain = new Map<string, DynamoDBClient>();

/**
 * The plain DynamoDB client under the documents client, for libraries that want one (Powertools
 * idempotency). One per endpoint setting: one in Lambda; tests that point it at a table of their
 * own (AWS_ENDPOINT_URL_DYNAMODB) get one for that table.
 */
export function dynamoDbClient(): DynamoDBClient {
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB ?? process.env.AWS_ENDPOINT_URL ?? '';
  let client = plain.get(endpoint);
  if (!client) {
    client = traced(new DynamoDBClient({}));
    plain.set(endpoint, client);
  }
  return client;
}
