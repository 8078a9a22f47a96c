import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import type { MiddlewareObj } from '@middy/core';
import { dynamoDbClient } from '../adapters/aws/dynamodb.ts';
import { config } from '../shell/config.ts';

/** Powertools idempotency in the broker's table (its TTL attribute, so records expire on their own). */
export function onceOnly<Event, Result>(key: { eventKeyJmesPath: string; staticPkValue: string }): MiddlewareObj<Event, Result> {
  let middleware: MiddlewareObj<Event, Result> | undefined;
  let builtFor: unknown;
  const built = () => {
    // Rebuilt when the settings are read again (tests), so it follows the table they name.
    if (middleware && builtFor === config()) return middleware;
    builtFor = config();
    middleware = makeHandlerIdempotent({
      persistenceStore: new DynamoDBPersistenceLayer({
        tableName: config().tableName,
        keyAttr: 'pk',
        sortKeyAttr: 'sk',
        staticPkValue: key.staticPkValue,
        expiryAttr: 'expiresAt',
        awsSdkV3Client: dynamoDbClient(),
      }),
      config: new IdempotencyConfig({ eventKeyJmesPath: key.eventKeyJmesPath, throwOnNoIdempotencyKey: true }),
    }) as MiddlewareObj<Event, Result>;
    return middleware;
  };
  // Built on first use: the table name is read from the environment then, not at import.
  return {
    before: (request) => built().before?.(request),
    after: (request) => built().after?.(request),
    onError: (request) => built().onError?.(request),
  };
}

