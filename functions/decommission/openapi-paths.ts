/** The decommission's part of the OpenAPI document; its body generated from ./contract.ts. */
import { acceptedResponse, authorizedRouteResponses, problemResponse } from '../shell/openapi-responses.ts';

export const decommissionOperation = {
  delete: {
    tags: ['inventory'],
    operationId: 'decommissionConnection',
    summary: "Owner or admin: retire a connection the broker made: detach, remove its grants, delete it (and its host when unused)",
    description:
      'The deletion guard lists what uses the connection (pipeline source actions by either ARN prefix, Git sync repository links, resource shares) and refuses ' +
      "with 409 ConnectionInUse naming each, unless `detach: true` and the broker can restore each (the source action this request attached, put back as it was). " +
      "An admin's decommission runs at once; an owner's waits for the approvers (Slack or POST /v1/connection-requests/{id}/approve), unless " +
      'ownerDecommissionApproval is none. Follow `Location` (the request that made the connection) until DECOMMISSIONED, or COMPLETED again with `decommission.abandoned` saying why not.',
    parameters: [{ name: 'id', in: 'path', required: true, description: 'The connection id (the UUID at the end of its ARN).', schema: { type: 'string' } }],
    requestBody: { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/DecommissionRequest' } } } },
    responses: {
      '202': acceptedResponse('Accepted: the decommission has started (or waits for the approvers). `Location` names the request.', 'ConnectionRequest'),
      '400': problemResponse('The body is not valid; `errors` names each field (BadRequest).'),
      '404': problemResponse('No such connection made by the broker, or not yours (NotFound).'),
      '409': problemResponse(
        'In use (ConnectionInUse: `errors` names each user and what to do), already being decommissioned (DecommissionUnderWay), or decommissioned already (AlreadyDecommissioned).',
      ),
      '503': problemResponse('The decommission could not be started (DecommissionNotStarted), or what uses the connection could not be read (UsageNotReadable); nothing was changed.'),
      ...authorizedRouteResponses,
    },
  },
};
