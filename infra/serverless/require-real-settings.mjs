import { wideGrantableRoles } from './grantable-roles.mjs';

/**
 * A local osls plugin: refuses to package (and so to deploy) a real stage with the placeholder
 * settings serverless.yml falls back to. Those placeholders let `dev` and `local` package offline,
 * but a stage deployed with them would reject every token, refuse every GHES endpoint and every
 * Slack click. Checked before anything is built or cleaned, so a refusal costs a second.
 *
 * On every stage, dev and local too, it also refuses a wide grantableRoles (the roles the broker may
 * put IAM policies on) unless allowWideGrantableRoles is true: see grantable-roles.mjs.
 */

/** Stages that may keep the placeholders: the offline dev package and the local runtime. */
const PLACEHOLDER_STAGES = new Set(['dev', 'local']);

/** Each param that must be real on other stages: why it is refused, and how to set it. */
const CHECKS = [
  {
    param: 'jwtIssuerUrl',
    refused: (value) => value === '' || /^https:\/\/auth\.invalid(\/|$)/.test(value),
    problem: (value) => (value === '' ? 'is empty' : `is the placeholder ${value}`),
    fix: "set JWT_ISSUER_URL to your identity provider's issuer URL",
  },
  {
    param: 'allowedProviderEndpoints',
    refused: (value) => value.split(',').every((entry) => entry.trim() === ''),
    problem: () => 'is empty (every GHES endpoint would be refused)',
    fix: 'set ALLOWED_PROVIDER_ENDPOINTS to the comma-separated GHES hosts requesters may use (e.g. ghe.example.com,*.ghe.example.com)',
  },
  {
    param: 'slackTeamId',
    refused: (value) => value.trim() === '',
    problem: () => 'is empty (every Slack click would be refused)',
    fix: 'set SLACK_TEAM_ID to the Slack workspace id (T…)',
  },
  {
    param: 'slackAppId',
    refused: (value) => value.trim() === '',
    problem: () => 'is empty (every Slack click would be refused)',
    fix: 'set SLACK_APP_ID to the Slack app id (A…)',
  },
  {
    param: 'consoleOidcClientId',
    refused: (value) => value.trim() === '' || value === 'placeholder-console-client-id',
    problem: (value) => (value.trim() === '' ? 'is empty (nobody could sign in to the web console)' : `is the placeholder ${value} (nobody could sign in to the web console)`),
    fix: "set CONSOLE_OIDC_CLIENT_ID to the web console's OIDC client id at your identity provider (redirect URI <ConsoleUrl>/signin/callback)",
  },
];

export default class RequireRealSettings {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options ?? {};
    this.hooks = { 'before:package:cleanup': () => this.check() };
  }

  check() {
    const stage = this.serverless.getProvider('aws').getStage();
    const params = this.resolvedParams(stage);
    this.checkGrantableRoles(params);
    if (PLACEHOLDER_STAGES.has(stage)) return;
    const problems = CHECKS.flatMap(({ param, refused, problem, fix }) => {
      const value = params[param] == null ? '' : String(params[param]);
      return refused(value) ? [`  - ${param} ${problem(value)}: ${fix}, or pass --param='${param}=…'.`] : [];
    });
    if (problems.length === 0) return;
    throw new this.serverless.classes.Error(
      [
        `Refusing to package stage "${stage}" with placeholder settings:`,
        ...problems,
        `Only the ${[...PLACEHOLDER_STAGES].join(' and ')} stages may package with them (see README, "Packaging for AWS").`,
      ].join('\n'),
      'PLACEHOLDER_SETTINGS',
    );
  }

  checkGrantableRoles(params) {
    const wide = wideGrantableRoles(params.grantableRoles);
    if (wide === undefined || String(params.allowWideGrantableRoles ?? '').trim().toLowerCase() === 'true') return;
    throw new this.serverless.classes.Error(
      [
        `Refusing to package with a wide grantableRoles: ${wide}.`,
        '  The attach and rollback functions hold iam:PutRolePolicy on those roles. Keep it to where your pipeline roles live',
        "  (default role/service-role/*, e.g. --param='grantableRoles=role/pipelines/*'), grant by tags (grantPipelinePermissions=tag-based, no IAM written),",
        "  or, knowingly, --param='allowWideGrantableRoles=true' (see README, \"Attaching to the pipeline\").",
      ].join('\n'),
      'WIDE_GRANTABLE_ROLES',
    );
  }

  /** The params as ${param:} resolves them: --param on the command line, then the stage's, then default's. */
  resolvedParams(stage) {
    const declared = this.serverless.configurationInput?.params ?? {};
    const resolved = {};
    for (const source of [declared.default, declared[stage]]) {
      for (const [name, value] of Object.entries(source ?? {})) if (value != null) resolved[name] = value;
    }
    const cli = this.options.param ?? [];
    for (const item of Array.isArray(cli) ? cli : [cli]) {
      const match = /^([^=]+)=(.+)$/.exec(String(item));
      if (match) resolved[match[1]] = match[2].trimEnd();
    }
    return resolved;
  }
}
