import { isEndpointAllowed } from '../request/endpoint.ts';
import type { Target } from '../adapters/aws/target-clients.ts';
import type { AccountRegistration } from './contract.ts';

export interface TargetAccessInput {
  caller: { isAdmin: boolean; teams: readonly string[] };
  /** What the request body asked for (both optional). */
  requested: { accountId?: string | undefined; region?: string | undefined };
  broker: { accountId: string; region: string };
  /** The requested account's registration, when it has one. */
  registration: AccountRegistration | undefined;
  /** The normalised GHES URL the request connects to. */
  providerEndpoint: string;
}

export type TargetAccess =
  | { allowed: true; target: Target; registration?: AccountRegistration }
  | { allowed: false; status: 403 | 422; code: string; path: 'accountId' | 'providerEndpoint'; message: string };

/**
 * Where a request may provision, and who may ask. The broker's own account needs no registration
 * (its allow-list and approvers are the broker's). Any other account must be registered (else 422);
 * admins may ask for any registered account, a requester only for one of their team's (else 403),
 * and the account's own endpoint list, when it has one, narrows the broker's (else 403).
 */
export function decideTargetAccess(input: TargetAccessInput): TargetAccess {
  const region = input.requested.region ?? input.broker.region;
  const accountId = input.requested.accountId;
  if (accountId === undefined || accountId === input.broker.accountId) return { allowed: true, target: { region } };
  const registration = input.registration;
  if (!registration) {
    return {
      allowed: false,
      status: 422,
      code: 'AccountNotRegistered',
      path: 'accountId',
      message: `Account ${accountId} is not registered with the broker; an admin registers it with PUT /v1/accounts/${accountId} once the spoke role is deployed there.`,
    };
  }
  if (!input.caller.isAdmin && !input.caller.teams.includes(registration.team)) {
    const yours = input.caller.teams.length > 0 ? `your teams: ${input.caller.teams.join(', ')}` : 'your token names no team';
    return {
      allowed: false,
      status: 403,
      code: 'AccountNotAllowed',
      path: 'accountId',
      message: `Account ${accountId} belongs to team ${registration.team}; you may ask only for your team's accounts (${yours}).`,
    };
  }
  if (registration.allowedEndpoints && !isEndpointAllowed(input.providerEndpoint, registration.allowedEndpoints)) {
    return {
      allowed: false,
      status: 403,
      code: 'AccountNotAllowed',
      path: 'providerEndpoint',
      message: `Account ${accountId} may connect only to ${registration.allowedEndpoints.join(', ')}.`,
    };
  }
  return { allowed: true, target: { accountId, region }, registration };
}
