import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Routes for emulated services that are not AWS wire protocols (the fake Slack Web API and its
 * response URLs): the module gets the request and writes the response itself, because clients
 * such as `@slack/web-api` send form bodies that would otherwise be taken for AWS query calls.
 */
export interface HttpRoute {
  /** Path prefix the route owns, such as `/slack/api/`; must not start with `/_sandbox`. */
  prefix: string;
  handle(request: IncomingMessage, response: ServerResponse, body: string): Promise<void>;
}

// Adds the hook to SandboxModule without touching service.ts; it can move there as a plain field.
declare module './service.ts' {
  interface SandboxModule {
    httpRoutes?: HttpRoute[];
  }
}

/** The route owning `path`, longest prefix first, or undefined when AWS protocols should handle it. */
export function findHttpRoute(modules: readonly { httpRoutes?: HttpRoute[] }[], path: string): HttpRoute | undefined {
  return modules
    .flatMap((module) => module.httpRoutes ?? [])
    .filter((route) => path.startsWith(route.prefix))
    .sort((a, b) => b.prefix.length - a.prefix.length)[0];
}
