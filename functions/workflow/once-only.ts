import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import type { MiddlewareObj } from '@middy/core';
import { dynamoDbClient } from '../adapters/aws/dynamodb.ts';
import { perContainer } from '../shell/per-container.ts';

/** Powertools idempotency in the broker's table (its TTL attribute, so records expire on their own). */
export function onceOnly<Event, Result>(key: { eventKeyJmesPath: string; staticPkValue: string }): MiddlewareObj<Event, Result> {
  // Built on first use, per container (shell/per-container.ts): the table name is read then, not at import.
  const built = perContainer(
    (settings) =>
      makeHandlerIdempotent({
        persistenceStore: new DynamoDBPersistenceLayer({
          tableName: settings.tableName,
          keyAttr: 'pk',
          sortKeyAttr: 'sk',
          staticPkValue: key.staticPkValue,
          expiryAttr: 'expiresAt',
          awsSdkV3Client: dynamoDbClient(),
        }),
        config: new IdempotencyConfig({ eventKeyJmesPath: key.eventKeyJmesPath, throwOnNoIdempotencyKey: true }),
      }) as MiddlewareObj<Event, Result>,
  );
  return {
    before: (request) => built().before?.(request),
    after: (request) => built().after?.(request),
    onError: (request) => built().onError?.(request),
  };
}

