/**
 * One key per host or connection whichever ARN prefix names it: since the 2024 rename the same
 * resource is `arn:aws:codestar-connections:…` or `arn:aws:codeconnections:…` depending on who
 * wrote the ARN down (a pipeline, a policy, our record), and the auditor must see them as one.
 */
const CONNECTIONS_ARN = /^arn:([^:]+):(?:codestar-connections|codeconnections):([^:]*):(\d{12}):(host|connection)\/(.+)$/;

export function resourceKey(arn: string): string {
  const match = CONNECTIONS_ARN.exec(arn);
  if (!match) return arn;
  const [, partition, region, account, kind, id] = match;
  return `${partition}:${region}:${account}:${kind}/${id}`;
}

/** The part after `host/` or `connection/`: what the inventory endpoints use as `{id}`. */
export function resourceId(arn: string): string {
  return CONNECTIONS_ARN.exec(arn)?.[5] ?? arn;
}

export function sameResource(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && resourceKey(a) === resourceKey(b);
}
