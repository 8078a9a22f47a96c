/**
 * zod's mini build, for the small schemas that most functions load (the Slack secret and
 * interaction payload, the approvers setting). Its schemas are plain functions
 * (`z.optional(z.string().check(z.maxLength(255)))` for classic zod's `z.string().max(255).optional()`),
 * so a bundle holds only those it uses: about 20 KB where classic zod's schema methods bring about
 * 90 KB, and a cold start about 10 ms less of CPU. The request contract (functions/request) keeps
 * classic zod: it builds the OpenAPI document from the schema, and the two share zod's core.
 *
 * Unlike classic zod, mini sets no locale: this sets zod's English messages, which classic zod sets
 * on its first schema (same messages whichever comes first), so an issue without a message of our
 * own still reads "Too small: expected string to have >=1 characters", not "Invalid input".
 */
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());

export * from 'zod/mini';
