/**
 * The accounts registry's part of the OpenAPI document (functions/request/openapi.ts spreads these
 * in); the bodies are generated from the zod schemas in ./contract.ts.
 */
import { authorizedRouteResponses, createdResponse, emptyResponse, jsonResponse, problemResponse } from '../shell/openapi-responses.ts';

const notAdmin = problemResponse('Not an admin (Forbidden).');
const accountIdParameter = {
  name: 'accountId',
  in: 'path',
  required: true,
  description: 'The spoke account id.',
  schema: { type: 'string', pattern: '^[0-9]{12}$' },
};
const badAccountId = problemResponse('The account id is not twelve digits; `errors` names `accountId` (BadRequest).');

export const accountTags = [{ name: 'accounts', description: 'Spoke accounts the broker provisions in (admins)' }];

export const accountPaths = {
  '/v1/accounts': {
    get: {
      tags: ['accounts'],
      operationId: 'listAccounts',
      summary: 'Admins: the registered spoke accounts',
      responses: {
        '200': jsonResponse('Every registered account, by account id.', {
          type: 'object',
          required: ['accounts'],
          additionalProperties: false,
          properties: { accounts: { type: 'array', items: { $ref: '#/components/schemas/Account' } } },
        }),
        '403': notAdmin,
        ...authorizedRouteResponses,
      },
    },
  },
  '/v1/accounts/{accountId}': {
    get: {
      tags: ['accounts'],
      operationId: 'getAccount',
      parameters: [accountIdParameter],
      summary: 'Admins: one registered account',
      responses: { '200': jsonResponse('The account.', 'Account'), '400': badAccountId, '403': notAdmin, '404': problemResponse('Not registered (NotFound).'), ...authorizedRouteResponses },
    },
    put: {
      tags: ['accounts'],
      operationId: 'putAccount',
      parameters: [accountIdParameter],
      summary: 'Admins: register a spoke account (deploy the spoke role there first), or replace its registration',
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/AccountRegistration' } } } },
      responses: {
        '200': jsonResponse('Replaced.', 'Account'),
        '201': createdResponse('Registered; `Location` names it.', 'Account'),
        '400': problemResponse('The account id or the body is not valid; `errors` names each field (BadRequest).'),
        '403': notAdmin,
        ...authorizedRouteResponses,
      },
    },
    delete: {
      tags: ['accounts'],
      operationId: 'deleteAccount',
      parameters: [accountIdParameter],
      summary: 'Admins: unregister an account (requests under way there carry on; no new ones are accepted)',
      responses: { '204': emptyResponse('Removed.'), '400': badAccountId, '403': notAdmin, '404': problemResponse('Not registered (NotFound).'), ...authorizedRouteResponses },
    },
  },
};
