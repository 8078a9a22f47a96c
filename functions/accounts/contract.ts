import * as z from 'zod';

/** An AWS account id: twelve digits (IAM ARNs and the console show them so, leading zeros kept). */
export const accountIdSchema = z.string().regex(/^\d{12}$/u, { error: 'Must be a twelve-digit AWS account id' });

/** An AWS Region name such as eu-west-1 (whether the broker supports it is checked in pre-flight). */
export const regionSchema = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/u, { error: 'Must be an AWS Region name such as eu-west-1' });

/** A Slack user id (what approvers lists hold, as in SLACK_APPROVERS). */
const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,20}$/u, { error: 'Must be a Slack user id such as U0123ABCD' });
/** A GHES host as ALLOWED_PROVIDER_ENDPOINTS lists them: exact, or `*.example.com`. */
const endpointPattern = z
  .string()
  .regex(/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/u, { error: 'Must be a host name such as ghe.example.com, or *.example.com' });

/** The body of PUT /v1/accounts/{accountId}. */
export const accountRegistrationSchema = z
  .strictObject({
    team: z.string().min(1, { error: 'Must not be empty' }).max(128, { error: 'Must be at most 128 characters' }).meta({
      description: 'The team that owns the account: requesters whose team claim names it may ask for connections here.',
    }),
    allowedEndpoints: z
      .array(endpointPattern)
      .max(50, { error: 'Must contain at most 50 hosts' })
      .optional()
      .meta({ description: "GHES hosts this account may connect to (exact, or *.example.com), within the broker's own allow-list. Leave out for the broker's list." }),
    approvers: z
      .array(slackUserId)
      .min(1, { error: 'Must contain at least 1 approver; leave it out for the default approvers' })
      .max(50, { error: 'Must contain at most 50 approvers' })
      .optional()
      .meta({ description: "Slack user ids who approve this account's requests, instead of the broker's approvers." }),
    regions: z
      .array(regionSchema)
      .min(1, { error: "Must contain at least 1 Region; leave it out for the broker's own Region" })
      .max(30, { error: 'Must contain at most 30 Regions' })
      .optional()
      .meta({ description: "Regions the fleet audit reads in this account (besides any Region its requests use). Leave out for the broker's own Region." }),
  })
  .meta({ description: 'A spoke account registered with the broker (admins only).' });


/** A registered account as stored and shown. */
export const accountViewSchema = z
  .strictObject({
    accountId: accountIdSchema,
    team: z.string(),
    allowedEndpoints: z.array(z.string()).optional(),
    approvers: z.array(z.string()).optional(),
    regions: z.array(z.string()).optional(),
    registeredBy: z.string(),
    registeredAt: z.string().meta({ format: 'date-time' }),
    updatedAt: z.string().meta({ format: 'date-time' }),
  })
  .meta({ description: 'A registered spoke account.' });

export type AccountRegistration = z.output<typeof accountViewSchema>;
