/** Errors of the request store; the API maps them to HTTP in one place. */
export class RequestNotFoundError extends Error {
  readonly code = 'RequestNotFound';
  constructor(readonly requestId: string) {
    super(`Connection request ${requestId} does not exist`);
    this.name = 'RequestNotFoundError';
  }
}

/** Another writer changed the record first; the caller re-reads and decides again. */
export class ConcurrentUpdateError extends Error {
  readonly code = 'ConcurrentUpdate';
  constructor(readonly requestId: string) {
    super(`Connection request ${requestId} was changed concurrently`);
    this.name = 'ConcurrentUpdateError';
  }
}

/** The host for an endpoint is being created by another request; retry shortly. */
export class HostLockBusyError extends Error {
  readonly code = 'HostLockBusy';
  constructor(readonly endpoint: string) {
    super(`Another request is creating the host for ${endpoint}`);
    this.name = 'HostLockBusy';
  }
}
