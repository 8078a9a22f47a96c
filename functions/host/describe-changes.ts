import type { ConnectionRequestRecord } from '../request/model.ts';

/** A host update's changes in words, for the timeline (its own module: the updateHost Lambda needs it, not the API's use case). */
export function describeChanges(record: Pick<ConnectionRequestRecord, 'providerEndpoint'>, changes: { providerEndpoint?: string; vpcConfiguration?: unknown }): string {
  return [
    changes.providerEndpoint ? `endpoint ${record.providerEndpoint} → ${changes.providerEndpoint}` : undefined,
    changes.vpcConfiguration ? 'new VPC settings' : undefined,
  ]
    .filter(Boolean)
    .join(', ');
}
