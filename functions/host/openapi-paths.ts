/** The host update's part of the OpenAPI document; its body generated from ./update-contract.ts. */
import { acceptedResponse, authorizedRouteResponses, jsonResponse, problemResponse } from '../shell/openapi-responses.ts';

/** PATCH /v1/hosts/{id}, beside the inventory's GET (functions/host/update-contract.ts for the body). */
export const hostUpdateOperation = {
  patch: {
    tags: ['inventory'],
    operationId: 'updateHost',
    summary: "Owner or admin: change a host's endpoint or VPC settings; the host admin sets it up again, as for a new host",
    description:
      'UpdateHost sends the host back to PENDING (a new VPC through VPC_CONFIG_INITIALIZING first). The request that created the host carries the change: ' +
      'UPDATING_HOST, then WAITING_FOR_HOST_SETUP with the same nextAction, watcher and check now as a new host, then COMPLETED again; `hostUpdate` records what changed ' +
      'and, if it did not finish, why (`abandoned`).',
    parameters: [{ name: 'id', in: 'path', required: true, description: 'The host id (the UUID at the end of its ARN).', schema: { type: 'string' } }],
    requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/HostUpdate' } } } },
    responses: {
      '202': acceptedResponse('Accepted: the host is being updated. `Location` names the request that created it.', 'ConnectionRequest'),
      '400': problemResponse('The body is not valid, or changes nothing; `errors` names each field (BadRequest).'),
      '403': problemResponse('The new endpoint is not on the allow-list (Forbidden).'),
      '404': problemResponse('No such host created by the broker, or not yours (NotFound).'),
      '409': problemResponse('Already being updated (HostUpdateUnderWay), or its request is not COMPLETED (HostNotUpdatable).'),
      '503': problemResponse('The host update could not be started; nothing was changed (HostUpdateNotStarted).'),
      ...authorizedRouteResponses,
    },
  },
};

/** POST /v1/hosts/{id}/repair. */
export const repairPaths = {
  '/v1/hosts/{id}/repair': {
    post: {
      tags: ['inventory'],
      operationId: 'repairHost',
      summary: 'Owner or admin: recreate a host in ERROR; every connection on it is replaced on the new host, its pipelines moved',
      description:
        "A host whose GitHub App was changed or deleted (a GitLab host's token revoked) cannot be set up again. The endpoint's host reuse moves to a new host, " +
        'and each request with a connection on the old host gets a replacing request (POST /v1/connections/{id}/replace, on the new host): its admin sets the ' +
        'new host up once, each handshake is done, the pipelines move, the old connections are decommissioned, and the last takes the old host with it.',
      parameters: [{ name: 'id', in: 'path', required: true, description: 'The host id (the UUID at the end of its ARN).', schema: { type: 'string' } }],
      responses: {
        '202': jsonResponse('Accepted: one replacing request per connection on the host; follow each.', {
          type: 'object',
          required: ['hostArn', 'replacements'],
          additionalProperties: false,
          properties: { hostArn: { type: 'string' }, replacements: { type: 'array', items: { $ref: '#/components/schemas/ConnectionRequest' } } },
        }),
        '404': problemResponse('No host created by the broker with that id, or not yours (NotFound).'),
        '409': problemResponse('The host is not in ERROR (HostNotInError), or a connection on it cannot be replaced (ConnectionInUse, ReplacementUnderWay).'),
        '503': problemResponse('What uses its connections could not be read; nothing was changed (UsageNotReadable).'),
        ...authorizedRouteResponses,
      },
    },
  },
};
