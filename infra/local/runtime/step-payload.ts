/** Step Functions' quota on a state's input or output: 256 KiB of UTF-8 (Step Functions quotas). */
export const STEP_FUNCTIONS_PAYLOAD_LIMIT_BYTES = 256 * 1024;

/**
 * Refuses a task input or result over the quota as Step Functions does: the state fails with
 * `States.DataLimitExceeded`, which no Retry or Catch on States.ALL handles.
 */
export function assertWithinPayloadLimit(value: unknown, what: 'input' | 'output'): void {
  const bytes = Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
  if (bytes > STEP_FUNCTIONS_PAYLOAD_LIMIT_BYTES) {
    const error = new Error(`The state/task returned a result with a size exceeding the maximum number of bytes service limit (${what}: ${bytes} bytes).`);
    error.name = 'States.DataLimitExceeded';
    throw error;
  }
}
