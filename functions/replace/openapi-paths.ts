/** The replacement's part of the OpenAPI document; its body generated from ./contract.ts. */
import { acceptedResponse, authorizedRouteResponses, problemResponse } from '../shell/openapi-responses.ts';

export const replacementPaths = {
  '/v1/connections/{id}/replace': {
    post: {
      tags: ['inventory'],
      operationId: 'replaceConnection',
      summary: 'Owner or admin: a new connection on the same host takes over every pipeline of this one, then this one is decommissioned',
      description:
        'A new connection request (the same waits and approvals as any: the handshake, its approvers) makes the new connection; then every role the moved ' +
        'source actions run under gets UseConnection on it, each pipeline that used the old connection is moved over in one version-checked update and ' +
        'run once, and only after the request completed is the old connection decommissioned. A failure at any point rolls the pipelines back to the ' +
        'old connection, which is still there. Follow `Location` (the new request).',
      parameters: [{ name: 'id', in: 'path', required: true, description: 'The connection id (the UUID at the end of its ARN).', schema: { type: 'string' } }],
      requestBody: { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/Replacement' } } } },
      responses: {
        '202': acceptedResponse('Accepted: the replacing request has started. `Location` names it.', 'ConnectionRequest'),
        '400': problemResponse('The body is not valid; `errors` names each field (BadRequest).'),
        '404': problemResponse('No COMPLETED connection made by the broker with that id, or not yours (NotFound).'),
        '409': problemResponse(
          'Used by something a replacement cannot move (ConnectionInUse: `errors` names each), a shared connection (NotReplaceable), already being replaced (ReplacementUnderWay), or its new name is taken (ConnectionNameTaken).',
        ),
        '503': problemResponse('What uses the connection could not be read; nothing was changed (UsageNotReadable).'),
        ...authorizedRouteResponses,
      },
    },
  },
};
