/** Why a connection cannot be attached to the pipeline the requester named. */
export class SourceActionSelectionError extends Error {
  readonly code = 'SourceActionSelection';
  constructor(message: string) {
    super(message);
    this.name = 'SourceActionSelectionError';
  }
}
