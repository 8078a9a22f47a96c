/** Operating Git sync: the OpenAPI document's part; the body is generated from ./resolve-blocker.ts. */
import { authorizedRouteResponses, problemResponse } from '../shell/openapi-responses.ts';

export const syncPaths = {
  '/v1/sync-configurations/{id}/blockers/{blockerId}/resolve': {
    post: {
      tags: ['inventory'],
      operationId: 'resolveSyncBlocker',
      summary: 'Admins: resolve a Git sync blocker once its cause is fixed; Git sync then syncs again',
      description:
        'UpdateSyncBlocker with the reason given. When the stack is a request’s Git sync, the blocker leaves that request’s next action and the timeline says who resolved it and why. ' +
        'Open blockers are listed by the request view (`gitSync.blockers`) and GET /v1/sync-configurations.',
      parameters: [
        { name: 'id', in: 'path', required: true, description: 'The sync configuration: its stack name (sync configurations have no ARN).', schema: { type: 'string' } },
        { name: 'blockerId', in: 'path', required: true, description: 'The blocker id (GetSyncBlockerSummary).', schema: { type: 'string' } },
      ],
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ResolveSyncBlocker' } } } },
      responses: {
        '200': {
          description: 'Resolved; `request` is the request whose Git sync it is, when there is one.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['stackName', 'blockerId', 'resolvedReason'],
                properties: {
                  stackName: { type: 'string' },
                  blockerId: { type: 'string' },
                  resolvedReason: { type: 'string' },
                  request: { $ref: '#/components/schemas/ConnectionRequest' },
                },
                additionalProperties: false,
              },
            },
          },
        },
        '400': problemResponse('The body is not valid; `errors` names `reason` (BadRequest).'),
        '403': problemResponse('Not an admin (Forbidden).'),
        '404': problemResponse('No open blocker with that id on that stack’s sync configuration (NotFound).'),
        ...authorizedRouteResponses,
      },
    },
  },
};
