import * as z from 'zod';
import { vpcSettingsSchema } from '../request/contract.ts';

/** The body of PATCH /v1/hosts/{id}: what to change on a host the broker created; at least one field. */
export const hostUpdateBodySchema = z
  .strictObject({
    providerEndpoint: z.string().min(1, { error: 'Must not be empty' }).optional().meta({
      description: 'The new https:// URL of the GHES or GitLab instance (on the allow-list, as for a request). The host goes back to PENDING: its admin sets it up again.',
    }),
    vpcConfiguration: vpcSettingsSchema.optional().meta({
      description: 'New VPC, subnets, security groups or TLS certificate, for a host created in a VPC (AWS cannot give a public host a VPC).',
    }),
  })
  .refine((body) => body.providerEndpoint !== undefined || body.vpcConfiguration !== undefined, { error: 'Give providerEndpoint, vpcConfiguration, or both' })
  .meta({ description: 'A change to a host (PATCH /v1/hosts/{id}).' });

export type HostUpdateBody = z.output<typeof hostUpdateBodySchema>;
