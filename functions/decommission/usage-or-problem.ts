import { serviceUnavailable } from '../shell/http-errors.ts';
import { collectConnectionUsage } from './connection-users.ts';
import type { ConnectionUsage } from './guard.ts';

/**
 * What uses a connection, for the API. A refused read (a spoke role deployed before the guard's
 * List actions, an SCP) means the guard cannot vouch that nothing uses it: a 503 saying what to
 * fix, never a 500, and nothing changes.
 */
export async function usageOrProblem(...args: Parameters<typeof collectConnectionUsage>): Promise<ConnectionUsage> {
  try {
    return await collectConnectionUsage(...args);
  } catch (error) {
    if (error instanceof Error && /AccessDenied|UnauthorizedOperation|AuthorizationError/.test(error.name)) {
      throw serviceUnavailable(
        'UsageNotReadable',
        `The broker may not read what uses the connection (${error.name}: ${error.message}). Nothing was changed: give its role (a spoke's: infra/spoke-role.yml) the guard's List actions, then ask again.`,
      );
    }
    throw error;
  }
}
