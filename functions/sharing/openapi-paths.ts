/** The shared connections' part of the OpenAPI document; bodies generated from ./contract.ts. */
import { authorizedRouteResponses, jsonResponse, problemResponse } from '../shell/openapi-responses.ts';

const notAdmin = problemResponse('Not an admin (Forbidden).');

export const sharingTags = [{ name: 'sharing', description: 'Hub connections shared to spoke accounts with AWS RAM (admins)' }];

export const sharingPaths = {
  '/v1/shared-connections': {
    get: {
      tags: ['sharing'],
      operationId: 'listSharedConnections',
      summary: 'Admins: the hub connections offered for sharing',
      responses: {
        '200': jsonResponse('Every offered connection.', {
          type: 'object',
          required: ['sharedConnections'],
          additionalProperties: false,
          properties: { sharedConnections: { type: 'array', items: { $ref: '#/components/schemas/SharedConnection' } } },
        }),
        '403': notAdmin,
        ...authorizedRouteResponses,
      },
    },
    post: {
      tags: ['sharing'],
      operationId: 'offerSharedConnection',
      summary: "Admins: offer an AVAILABLE hub connection for an endpoint and organization; spoke requests then share it (no host, no handshake)",
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewSharedConnection' } } } },
      responses: {
        '201': jsonResponse('Offered (replacing any earlier offer for the same endpoint and organization).', 'SharedConnection'),
        '400': problemResponse('The body is not valid; `errors` names each field (BadRequest).'),
        '403': notAdmin,
        '422': problemResponse('Not an AVAILABLE CodeConnections connection of the broker account; CodeStar Connections ARNs cannot be shared (ConnectionNotShareable).'),
        ...authorizedRouteResponses,
      },
    },
  },
};
