import type { ShareableConnection } from './contract.ts';

type RequestedStrategy = 'auto' | 'shared' | 'dedicated';

export type StrategyDecision =
  | { strategy: 'dedicated' }
  | { strategy: 'shared'; connection: ShareableConnection }
  | { refused: true; code: 'SharingNotPossible'; message: string };

/**
 * How a request gets its connection. `shared` needs a spoke account (the broker's own has the
 * connection already) and a hub connection offered for the endpoint and the pipeline's
 * organization; `auto` takes it when there is one and falls back to `dedicated` (own host,
 * connection and handshake) otherwise.
 */
export function chooseStrategy(input: { requested: RequestedStrategy; spoke: boolean; offered: ShareableConnection | undefined; organization: string | undefined }): StrategyDecision {
  if (input.requested === 'dedicated') return { strategy: 'dedicated' };
  if (!input.spoke) {
    if (input.requested === 'shared') {
      return { refused: true, code: 'SharingNotPossible', message: "A request for the broker's own account cannot share a connection: connections are shared to other accounts. Leave connectionStrategy out, or name an accountId." };
    }
    return { strategy: 'dedicated' };
  }
  if (input.offered) return { strategy: 'shared', connection: input.offered };
  if (input.requested === 'auto') return { strategy: 'dedicated' };
  const what = input.organization ? `its organization ${input.organization}` : 'a pipeline (its repository names the organization)';
  return {
    refused: true,
    code: 'SharingNotPossible',
    message: `No hub connection is offered for sharing for this endpoint and ${what}; ask an admin to offer one (POST /v1/shared-connections), or ask for a dedicated connection.`,
  };
}

/** Why a connection cannot be offered for sharing, or undefined when it can (before asking AWS for its status). */
export function shareableArnProblem(connectionArn: string, brokerAccountId: string): string | undefined {
  const match = /^arn:aws[a-z-]*:(codestar-connections|codeconnections):([a-z0-9-]+):(\d{12}):connection\/[\w-]+$/u.exec(connectionArn);
  if (!match) return 'Must be a connection ARN, such as arn:aws:codeconnections:us-east-1:111111111111:connection/…';
  if (match[1] === 'codestar-connections') {
    return 'AWS RAM cannot share CodeStar Connections ARNs (arn:aws:codestar-connections:…), only CodeConnections ones; make the connection through CodeConnections (as the console does since July 2024), or use dedicated connections.';
  }
  if (brokerAccountId && match[3] !== brokerAccountId) return `The connection is in account ${match[3]}; only the broker's own account (${brokerAccountId}) shares connections.`;
  return undefined;
}
