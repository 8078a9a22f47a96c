import * as z from 'zod';

/** The body of DELETE /v1/connections/{id}; none at all means `{}`. */
export const decommissionBodySchema = z
  .strictObject({
    detach: z.boolean().optional().meta({
      description:
        'Put back the source action each pipeline this request attached had before, instead of refusing because the pipeline uses the connection. Any other user still refuses.',
    }),
    reason: z.string().max(500, { error: 'At most 500 characters' }).optional().meta({ description: "Why: shown to the approvers and kept in the connection's tombstone." }),
  })
  .meta({ description: 'How to decommission a connection the broker made.' });

export type DecommissionBody = z.output<typeof decommissionBodySchema>;
