/**
 * What the console is told about where it runs, served beside it as /console-config.json: the local
 * system writes the dev one, scripts/publish-console.ts the AWS one (from the stack's params).
 */
export type ConsoleAuth =
  /** Local only: the local system mints a token for the user one names (POST /_local/dev-sign-in). */
  | { mode: 'dev' }
  /** OIDC authorization code with PKCE against the API's own issuer and audience. */
  | { mode: 'oidc'; issuer: string; clientId: string; audience: string; scopes: string[] };

export interface ConsoleConfig {
  /** Where the API is: '' for the console's own origin (CloudFront routes /v1/* to the API; locally one server serves both). */
  apiBaseUrl: string;
  auth: ConsoleAuth;
}

export const CONSOLE_CONFIG_FILE = 'console-config.json';

/** Where the local system's build of the console lives (from the repository root). */
export const LOCAL_CONSOLE_DIR = '.local/console';
