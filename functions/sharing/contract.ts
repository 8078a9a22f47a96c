import * as z from 'zod';

/** The body of POST /v1/shared-connections: a hub connection offered to spoke accounts through AWS RAM. */
export const shareableConnectionSchema = z
  .strictObject({
    connectionArn: z.string().min(1, { error: 'Must not be empty' }).meta({
      description: "An AVAILABLE connection in the broker's own account, made through CodeConnections (arn:aws:codeconnections:…); CodeStar Connections ARNs cannot be shared.",
    }),
    providerEndpoint: z.string().min(1, { error: 'Must not be empty' }).meta({ description: 'The GHES URL the connection reaches (as requests give it).' }),
    organization: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/u, { error: 'Must be a GitHub organization or user name' })
      .meta({ description: "The GHES organization whose app installation the connection uses: requests for that organization's repositories may share it." }),
  })
  .meta({ description: 'A hub connection spoke accounts may share (admins).' });

export const shareableConnectionViewSchema = z
  .strictObject({
    connectionArn: z.string(),
    providerEndpoint: z.string(),
    organization: z.string(),
    registeredBy: z.string(),
    registeredAt: z.string().meta({ format: 'date-time' }),
  })
  .meta({ description: 'A hub connection offered for sharing.' });

export type ShareableConnection = z.output<typeof shareableConnectionViewSchema>;
