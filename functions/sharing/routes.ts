import { GetConnectionCommand, ResourceNotFoundException } from '@aws-sdk/client-codestar-connections';
import type { APIGatewayProxyEventV2WithJWTAuthorizer as HttpEvent } from 'aws-lambda';
import type { Clients } from '../adapters/aws-clients.ts';
import { connectionsClientFor } from '../adapters/aws/codestar-connections.ts';
import { normaliseProviderEndpoint } from '../request/endpoint.ts';
import type { Caller } from '../request/caller.ts';
import { ApiError, badRequest, forbidden } from '../shell/http-errors.ts';
import { validBody, type HttpRoute } from '../shell/http-handler.ts';
import { json } from '../shell/http.ts';
import { shareableConnectionSchema, type ShareableConnection } from './contract.ts';
import type { ShareableConnectionStore } from './store.ts';
import { shareableArnProblem } from './strategy.ts';

export interface SharingRouteDependencies {
  callerOf: (event: HttpEvent) => Caller;
  shareable: () => ShareableConnectionStore;
  /** The broker's own clients (the connection is read in the hub) and account id. */
  home: () => { aws: Pick<Clients, 'connections'>; accountId: string };
}

/** Admins offer hub connections for sharing to spoke accounts (the same routes serverless.yml gives the api function). */
export function sharingRoutes({ callerOf, shareable, home }: SharingRouteDependencies): HttpRoute<HttpEvent>[] {
  const admin = (event: HttpEvent): Caller => {
    const caller = callerOf(event);
    if (!caller.isAdmin) throw forbidden('Only admins may offer or list shared connections.');
    return caller;
  };
  const notShareable = (path: string, message: string) => new ApiError(422, 'ConnectionNotShareable', message, [{ path, message }]);
  return [
    { method: 'GET', path: '/v1/shared-connections', handler: async (event) => (admin(event), json(200, { sharedConnections: await shareable().list() })) },
    {
      method: 'POST',
      path: '/v1/shared-connections',
      handler: async (event) => {
        const caller = admin(event);
        const offer = validBody(event, shareableConnectionSchema, 'The shared connection', ['connectionArn', 'providerEndpoint', 'organization']);
        const { aws, accountId } = home();
        const problem = shareableArnProblem(offer.connectionArn, accountId);
        if (problem) throw notShareable('connectionArn', problem);
        let providerEndpoint: string;
        try {
          providerEndpoint = normaliseProviderEndpoint(offer.providerEndpoint).url;
        } catch (error) {
          throw badRequest('The provider endpoint is not valid.', [{ path: 'providerEndpoint', message: (error as Error).message }]);
        }
        let status: string | undefined;
        try {
          const { Connection } = await connectionsClientFor(offer.connectionArn, aws).send(new GetConnectionCommand({ ConnectionArn: offer.connectionArn }));
          status = Connection?.ConnectionStatus;
        } catch (error) {
          if (error instanceof ResourceNotFoundException) throw notShareable('connectionArn', 'No such connection in the broker account.');
          throw error;
        }
        if (status !== 'AVAILABLE') throw notShareable('connectionArn', `The connection is ${status ?? 'UNKNOWN'}; only an AVAILABLE connection can be shared (finish its handshake first).`);
        const offered: ShareableConnection = { ...offer, providerEndpoint, registeredBy: caller.id, registeredAt: new Date().toISOString() };
        await shareable().put(offered);
        return json(201, offered);
      },
    },
  ];
}
