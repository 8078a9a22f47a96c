/** The host update's part of the OpenAPI document; its body generated from ./update-contract.ts. */
import { acceptedResponse, authorizedRouteResponses, problemResponse } from '../shell/openapi-responses.ts';

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
