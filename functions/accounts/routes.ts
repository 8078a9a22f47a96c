import type { APIGatewayProxyEventV2WithJWTAuthorizer as HttpEvent } from 'aws-lambda';
import { validBody, type HttpRoute } from '../shell/http-handler.ts';
import { badRequest, forbidden, notFound } from '../shell/http-errors.ts';
import { json } from '../shell/http.ts';
import type { Caller } from '../request/caller.ts';
import { accountIdSchema, accountRegistrationSchema, type AccountRegistration } from './contract.ts';
import type { AccountStore } from './store.ts';

export interface AccountRouteDependencies {
  callerOf: (event: HttpEvent) => Caller;
  accounts: () => AccountStore;
}

/** The accounts registry's admin API (the same routes serverless.yml gives the api function). */
export function accountRoutes({ callerOf, accounts }: AccountRouteDependencies): HttpRoute<HttpEvent>[] {
  const admin = (event: HttpEvent): Caller => {
    const caller = callerOf(event);
    if (!caller.isAdmin) throw forbidden('Only admins may register, list or remove accounts.');
    return caller;
  };
  return [
    { method: 'GET', path: '/v1/accounts', handler: async (event) => (admin(event), json(200, { accounts: await accounts().list() })) },
    {
      method: 'GET',
      path: '/v1/accounts/{accountId}',
      handler: async (event) => {
        admin(event);
        const accountId = accountIdOf(event);
        const account = await accounts().get(accountId);
        if (!account) throw notFound(`Account ${accountId} is not registered.`);
        return json(200, account);
      },
    },
    {
      method: 'PUT',
      path: '/v1/accounts/{accountId}',
      handler: async (event) => {
        const caller = admin(event);
        const accountId = accountIdOf(event);
        const body = validBody(event, accountRegistrationSchema, 'The account registration', ['team', 'allowedEndpoints', 'approvers', 'regions']);
        const now = new Date().toISOString();
        const existed = (await accounts().get(accountId)) !== undefined;
        const registration: AccountRegistration = { accountId, ...body, registeredBy: caller.id, registeredAt: now, updatedAt: now };
        const stored = await accounts().put(registration);
        return json(existed ? 200 : 201, stored, existed ? {} : { location: `/v1/accounts/${accountId}` });
      },
    },
    {
      method: 'DELETE',
      path: '/v1/accounts/{accountId}',
      handler: async (event) => {
        admin(event);
        const accountId = accountIdOf(event);
        if (!(await accounts().delete(accountId))) throw notFound(`Account ${accountId} is not registered.`);
        return { statusCode: 204 };
      },
    },
  ];
}

function accountIdOf(event: HttpEvent): string {
  const value = event.pathParameters?.accountId ?? '';
  const parsed = accountIdSchema.safeParse(value);
  if (!parsed.success) throw badRequest('The account id is not valid.', [{ path: 'accountId', message: parsed.error.issues[0]?.message ?? 'Must be a twelve-digit AWS account id' }]);
  return parsed.data;
}
