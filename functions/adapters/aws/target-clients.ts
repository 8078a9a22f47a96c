import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { clientsView, clientsWith, type ClientName, type Clients } from '../aws-clients.ts';

/** Where a request's resources live: a spoke account (absent: the broker's own) and a Region. */
export interface Target {
  accountId?: string | undefined;
  region: string;
}

/** How the hub reaches a spoke: the role every spoke account has (infra/spoke-role.yml) and its external id. */
export interface SpokeAccess {
  /** The broker's own Region: a target there with no account is served by the function's own clients. */
  homeRegion: string;
  spokeRoleName: string;
  spokeExternalId: string;
}

/** The services that live in the target; DynamoDB, Step Functions and RAM (sharing the hub's connections) are always the broker's own. */
const TARGET_SERVICES: readonly ClientName[] = ['connections', 'pipelines', 'iam', 'codeBuild'];

/** Spoke sessions last the shortest STS allows; the provider renews them before they expire. */
const SESSION_SECONDS = 900;

const byTarget = new Map<string, Clients>();

/**
 * The clients for a request's target. At home (no account, the broker's Region) they are the
 * function's own. In a spoke they act as `role/<spokeRoleName>` there, assumed with the external
 * id (the credentials are fetched on first use and renewed by the SDK); in another Region they are
 * built for it. DynamoDB and Step Functions stay the broker's. Built once per container per target.
 */
export function clientsIn(target: Target | undefined, home: Clients, access: SpokeAccess): Clients {
  if (!target || (!target.accountId && target.region === access.homeRegion)) return home;
  const key = `${target.accountId ?? 'home'}|${target.region}`;
  let built = byTarget.get(key);
  if (!built) {
    const credentials = target.accountId ? spokeCredentials(target.accountId, access) : undefined;
    const inTarget = clientsWith({ region: target.region, ...(credentials ? { credentials } : {}) }, TARGET_SERVICES);
    built = withHome(inTarget, home);
    byTarget.set(key, built);
  }
  return built;
}

/** Credentials of the spoke role in an account: fetched on first use, renewed by the SDK before they expire. */
export function spokeCredentials(accountId: string, access: SpokeAccess) {
  return fromTemporaryCredentials({
    params: {
      RoleArn: spokeRoleArn(accountId, access.spokeRoleName),
      RoleSessionName: 'connection-broker',
      ExternalId: access.spokeExternalId,
      DurationSeconds: SESSION_SECONDS,
    },
    clientConfig: { region: access.homeRegion },
  });
}

/**
 * Where a host or connection lives, read from its ARN (`arn:aws:<service>:<region>:<account>:…`):
 * the broker's own account is home (no account), any other a spoke.
 */
function targetOfArn(arn: string, brokerAccountId: string): Target {
  const [, , , region = '', accountId = ''] = arn.split(':');
  return accountId === '' || accountId === brokerAccountId ? { region } : { accountId, region };
}

/** The spoke role's ARN in an account (IAM ARNs name no Region). */
function spokeRoleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

/** The target's own services; the broker's DynamoDB, Step Functions and RAM (read when used, as at home). */
function withHome(inTarget: Partial<Clients>, home: Clients): Clients {
  return clientsView((name) => (TARGET_SERVICES.includes(name) ? inTarget[name] : home[name]));
}

/** The broker settings that say where home is and how to reach a spoke (BrokerConfig has them all). */
export interface HomeSettings {
  accountId: string;
  region: string;
  spokeRoleName: string;
  spokeExternalId: string;
}

export function spokeAccessOf(settings: HomeSettings): SpokeAccess {
  return { homeRegion: settings.region, spokeRoleName: settings.spokeRoleName, spokeExternalId: settings.spokeExternalId };
}

/**
 * The clients for the account and Region a host or connection ARN names. Without its own account
 * id (BROKER_ACCOUNT_ID unset) the broker cannot tell a spoke's ARN from its own: all are home.
 */
export function clientsForArn(arn: string, home: Clients, settings: HomeSettings): Clients {
  const target = settings.accountId ? targetOfArn(arn, settings.accountId) : { region: settings.region };
  return clientsIn(target, home, spokeAccessOf(settings));
}

