import * as z from 'zod';

/** The body of POST /v1/connections/{id}/replace; none at all means `{}`. */
export const replacementBodySchema = z
  .strictObject({
    arnPrefix: z
      .enum(['codeconnections', 'codestar-connections'])
      .optional()
      .meta({
        description:
          "The new connection's ARN prefix: `codeconnections` (the default) creates it through CodeConnections, moving off the old `codestar-connections` prefix; `codestar-connections` keeps the old one. Either way it is on the same host.",
      }),
  })
  .meta({ description: 'How to replace a connection the broker made.' });

export type ReplacementBody = z.output<typeof replacementBodySchema>;
