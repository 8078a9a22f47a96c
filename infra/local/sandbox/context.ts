import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Who is calling, and where: what AWS derives from the signed request. */
export interface CallContext {
  accountId: string;
  region: string;
  /** The endpoint namespace the call came through (`codestar-connections`, `codeconnections`, ...). */
  endpoint: string;
  operation: string;
  requestId: string;
  /** The caller's access key id (SigV4 credential scope): IAM authorises registered principals by it. */
  accessKeyId?: string | undefined;
  /**
   * The registered principal's ARN (an assumed-role session) when the key is one; undefined for
   * the account's administrator credentials (any other key).
   */
  principalArn?: string | undefined;
}

const CREDENTIAL_SCOPE = /Credential=([^/,\s]+)\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/;

export interface SignedIdentity {
  accessKeyId: string | undefined;
  region: string | undefined;
  signingService: string | undefined;
}

/** Reads account-independent facts from the SigV4 Authorization header (the signature is not checked). */
export function readSignedIdentity(headers: IncomingHttpHeaders): SignedIdentity {
  const match = CREDENTIAL_SCOPE.exec(String(headers.authorization ?? ''));
  return { accessKeyId: match?.[1], region: match?.[2], signingService: match?.[3] };
}

/**
 * An access key id of twelve digits names the account (handy for multi-account tests);
 * anything else belongs to the sandbox's default account.
 */
export function accountFor(accessKeyId: string | undefined, defaultAccountId: string): string {
  return accessKeyId && /^\d{12}$/.test(accessKeyId) ? accessKeyId : defaultAccountId;
}

export function newRequestId(): string {
  return randomUUID();
}
