import { requirementsFor, type CallFacts, type Requirement } from './catalogue.ts';
import { evaluate, type Decision } from './policy-evaluation.ts';

/**
 * Who a set of credentials is: an assumed-role session with the role's identity-based policies.
 * The local runtime gives each function credentials of its own and registers them here with the
 * policies of that function's role in the packaged template; STS's AssumeRole issues more (a
 * principal source, see `addPrincipalSource`).
 */
export interface Principal {
  accessKeyId: string;
  /** `arn:aws:sts::{account}:assumed-role/{role}/{session}`, as AWS names the caller in its refusals. */
  arn: string;
  /** The account the credentials belong to: a call signed with them acts on that account's resources. */
  accountId: string;
  /**
   * The role's policy documents (JSON objects). An STS session reads them from IAM at each call
   * (a getter), since IAM evaluates the role's current policies, not those it had at AssumeRole.
   */
  policies: unknown[];
  /** When temporary credentials stop working (sandbox clock, epoch ms); absent: they do not expire. */
  expiresAtMs?: number;
}

/** Finds the principal behind an access key that was not registered here (e.g. an STS session). */
export type PrincipalSource = (accessKeyId: string) => Principal | undefined;

export interface Refusal {
  action: string;
  resource: string;
  decision: Exclude<Decision, 'allow'>;
  /** AWS's own words: "User: … is not authorized to perform: … because …". */
  message: string;
}

/**
 * Authorises calls as IAM does, for registered principals only: callers with any other credentials
 * (the AWS CLI, tests setting up state) are the account's administrator and are not restricted.
 * Enforcement can be switched off as a whole (`enabled`).
 */
export class Authorizer {
  enabled = true;
  private readonly principals = new Map<string, Principal>();
  private readonly sources: PrincipalSource[] = [];
  private readonly refusals: (Refusal & { principal: string; atMs: number })[] = [];

  register(principal: Principal): void {
    this.principals.set(principal.accessKeyId, principal);
  }

  /** Credentials issued elsewhere (STS keeps its sessions in the sandbox store, so they outlive a restart). */
  addPrincipalSource(source: PrincipalSource): void {
    this.sources.push(source);
  }

  principal(accessKeyId: string | undefined): Principal | undefined {
    if (accessKeyId === undefined) return undefined;
    const registered = this.principals.get(accessKeyId);
    if (registered) return registered;
    for (const source of this.sources) {
      const found = source(accessKeyId);
      if (found) return found;
    }
    return undefined;
  }

  /** Replaces a registered principal's policies (tests remove a statement to prove it is needed). */
  replacePolicies(accessKeyId: string, policies: unknown[]): void {
    const principal = this.principals.get(accessKeyId);
    if (!principal) throw new Error(`no principal with access key ${accessKeyId}`);
    principal.policies = policies;
  }

  /** The first requirement the caller's policies do not allow, or undefined when all are allowed. */
  check(accessKeyId: string | undefined, call: CallFacts): Refusal | undefined {
    const principal = this.principal(accessKeyId);
    if (!this.enabled || !principal) return undefined;
    return this.checkPrincipal(principal, requirementsFor(call));
  }

  checkPrincipal(principal: Principal, requirements: Requirement[]): Refusal | undefined {
    if (!this.enabled) return undefined;
    for (const requirement of requirements) {
      const decision = evaluate(principal.policies, requirement);
      if (decision !== 'allow') {
        const refusal = { action: requirement.action, resource: requirement.resource, decision, message: refusalMessage(principal.arn, requirement, decision) };
        this.refusals.push({ ...refusal, principal: principal.arn, atMs: Date.now() });
        if (this.refusals.length > MAX_REFUSALS_KEPT) this.refusals.shift();
        return refusal;
      }
    }
    return undefined;
  }

  /** Every refusal so far, for the control API (what a developer would read in CloudTrail). */
  recentRefusals(): readonly (Refusal & { principal: string; atMs: number })[] {
    return [...this.refusals];
  }
}

/** The control API shows the latest refusals; older ones are let go so a long run does not grow. */
const MAX_REFUSALS_KEPT = 200;

/**
 * IAM's refusal text (IAM User Guide, "Troubleshoot access denied error messages"). A request on no
 * particular resource (`*`) names none.
 */
export function refusalMessage(principalArn: string, requirement: Pick<Requirement, 'action' | 'resource'>, decision: Exclude<Decision, 'allow'>): string {
  const onResource = requirement.resource === '*' ? '' : ` on resource: ${requirement.resource}`;
  const because =
    decision === 'explicit-deny'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${requirement.action} action`;
  return `User: ${principalArn} is not authorized to perform: ${requirement.action}${onResource} ${because}`;
}
