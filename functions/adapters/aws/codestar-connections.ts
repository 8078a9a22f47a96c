import { CodeStarConnectionsClient, type CodeStarConnectionsClientConfig } from '@aws-sdk/client-codestar-connections';
import { clients, type ClientOptions, type ClientProvider, type Clients } from '../aws-clients.ts';
import { traced } from './traced.ts';

export const connectionsClient: ClientProvider<'connections'> = { name: 'connections', build: (options = {}) => (options.credentials || options.region ? connectionsClientsWith(options) : traced(new CodeStarConnectionsClient(options))) };

/**
 * The client for a host or connection ARN. Resources made through the CodeConnections endpoint (as
 * the console has made them since 2024-07-01) carry `arn:aws:codeconnections:` ARNs, which the
 * CodeStar Connections API refuses wherever its model names a HostArn (CreateConnection,
 * ListConnections' HostArnFilter, GetHost, DeleteHost): such calls must go to CodeConnections.
 */
export function connectionsClientFor(arn: string | undefined, aws: Pick<Clients, 'connections'> = clients()): CodeStarConnectionsClient {
  if (!arn || !CODECONNECTIONS_ARN.test(arn)) return aws.connections;
  // Clients for another account or Region (adapters/aws/target-clients.ts) carry their own.
  const inTarget = codeConnectionsOf.get(aws.connections);
  if (inTarget) return inTarget;
  codeConnections ??= traced(codeConnectionsClient());
  return codeConnections;
}

/** The client that makes resources with this ARN prefix: a new connection's prefix is the endpoint's that creates it. */
export function connectionsClientForPrefix(prefix: 'codestar-connections' | 'codeconnections', aws: Pick<Clients, 'connections'> = clients()): CodeStarConnectionsClient {
  return connectionsClientFor(prefix === 'codeconnections' ? 'arn:aws:codeconnections:' : undefined, aws);
}

/** The CodeConnections client that goes with a CodeStar Connections client built for another account or Region. */
const codeConnectionsOf = new WeakMap<CodeStarConnectionsClient, CodeStarConnectionsClient>();

/** A CodeStar Connections client and its CodeConnections twin with these options (credentials, Region). */
function connectionsClientsWith(options: ClientOptions): CodeStarConnectionsClient {
  const client = traced(new CodeStarConnectionsClient(options));
  codeConnectionsOf.set(client, traced(codeConnectionsClient(options)));
  return client;
}

const CODECONNECTIONS_ARN = /^arn:aws[a-z-]*:codeconnections:/;
let codeConnections: CodeStarConnectionsClient | undefined;

/**
 * CodeConnections (API 2023-12-01) has the same 27 operations and shapes as CodeStar Connections;
 * only its endpoint, SigV4 signing name and X-Amz-Target prefix differ. No @aws-sdk client for it is
 * published on npm, so this is the CodeStar Connections client speaking to it: the endpoint from
 * AWS_ENDPOINT_URL_CODECONNECTIONS / AWS_ENDPOINT_URL or the public one, the signing name
 * `codeconnections`, and the target prefix rewritten before signing.
 */
/** SigV4 with the signing name `codeconnections` (the client's own provider says `codestar-connections`). */
const signAsCodeConnections: NonNullable<CodeStarConnectionsClientConfig['httpAuthSchemeProvider']> = (parameters) => [
  {
    schemeId: 'aws.auth#sigv4',
    signingProperties: { name: 'codeconnections', region: parameters.region },
    propertiesExtractor: (config, context) => ({ signingProperties: { config, context } }),
  },
];

export function codeConnectionsClient(options: ClientOptions = {}): CodeStarConnectionsClient {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const endpoint = process.env.AWS_ENDPOINT_URL_CODECONNECTIONS ?? process.env.AWS_ENDPOINT_URL ?? `https://codeconnections.${region}.amazonaws.com`;
  const client = new CodeStarConnectionsClient({ ...options, endpoint, httpAuthSchemeProvider: signAsCodeConnections });
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      const target = request.headers?.['x-amz-target'];
      if (request.headers && target?.startsWith('CodeStar_connections_20191201.')) {
        request.headers['x-amz-target'] = `CodeConnections_20231201.${target.slice('CodeStar_connections_20191201.'.length)}`;
      }
      return next(args);
    },
    { step: 'build', name: 'codeConnectionsTarget' },
  );
  return client;
}
