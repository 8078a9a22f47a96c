import { tracer } from '../../shell/powertools.ts';

/** Every AWS call shows as a subsegment of the function's trace (a no-op where tracing is off, as locally). */
export function traced<Client>(client: Client): Client {
  return tracer.captureAWSv3Client(client);
}
