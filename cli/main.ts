/**
 * `connection-broker`: the broker's API from a terminal. Ask for a connection, follow it to the
 * end, list, cancel, check, approve or reject requests, read the fleet audit.
 *
 * Human output is readable lines on stdout (errors on stderr); `--json` prints exactly one JSON
 * document on stdout (the API's answer, or `{ error, exitCode }`). Exit codes (cli/api-error.ts):
 * 0 ok, 1 the API refused, 2 usage, 3 a watched request ended other than COMPLETED, 4 not signed in.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { AuditReport } from '../functions/audit/report.ts';
import { REQUEST_STATUSES } from '../functions/request/model.ts';
import { PROVIDER_TYPES } from '../functions/request/provider.ts';
import type { RequestView } from '../functions/request/request-view.ts';
import { readRunningSystem } from '../infra/local/running-system.ts';
import { ApiClient } from './api.ts';
import { CliFailure, EXIT, usageFailure, type ExitCode, type JsonFailure } from './api-error.ts';
import { formatTime, listLines, statusLines, watchDisplay, type WatchedView } from './progress.ts';
import { requestBody, type RequestFlags } from './request-body.ts';
import {
  credentialsFile,
  identityOf,
  isApiUrl,
  looksLikeJwt,
  readCredentials,
  removeCredentials,
  resolveApi,
  resolveToken,
  saveCredentials,
} from './settings.ts';
import { watchRequest } from './watch.ts';

interface GlobalOptions {
  api?: string;
  json?: boolean;
}

/** What a command needs: how to print, and the API. */
class Session {
  /** The exit code of a command that ends well but not ok (a watch that ended FAILED). */
  exitCode: ExitCode = EXIT.ok;

  constructor(
    readonly json: boolean,
    readonly apiUrl: string,
    readonly apiSource: string,
    readonly api: ApiClient,
  ) {}

  /** The command's result: `lines` for people, `value` for `--json`. */
  result(lines: readonly string[], value: unknown): void {
    process.stdout.write(this.json ? `${JSON.stringify(value, null, 2)}\n` : lines.map((line) => `${line}\n`).join(''));
  }

  /** A note for people while a command runs (stderr, so stdout stays the result); silent with --json. */
  note(line: string): void {
    if (!this.json) process.stderr.write(`${line}\n`);
  }
}

/** The session of the command that runs, for its exit code. */
interface Run {
  session?: Session;
}

function session(command: Command, run: Run): Session {
  const options = command.optsWithGlobals<GlobalOptions>();
  const saved = readCredentials();
  const api = resolveApi({ flag: options.api, env: process.env, saved, runningApiUrl: readRunningSystem()?.apiUrl });
  if (!isApiUrl(api.url)) throw usageFailure([`The API URL ${api.url} (${api.source}) is not an https URL (plain http only to 127.0.0.1 or localhost).`]);
  const token = resolveToken(process.env, saved, api.url);
  run.session = new Session(options.json === true, api.url, api.source, new ApiClient(api.url, api.source, token?.token));
  return run.session;
}

// ---- option parsers (their errors are usage errors: exit 2) ----

function seconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('Give a positive number of seconds.');
  return parsed;
}

function pageSize(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 100) throw new InvalidArgumentError('Give a whole number from 1 to 100.');
  return parsed;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** A file's text, `-` for stdin; unreadable is a usage error. */
async function readInput(path: string, flag: string): Promise<string> {
  try {
    return path === '-' ? await readStdin() : readFileSync(path, 'utf8');
  } catch (error) {
    throw usageFailure([`${flag} ${path}: ${(error as Error).message}`]);
  }
}

const requestPath = (id: string) => `/v1/connection-requests/${encodeURIComponent(id)}`;

/** The watch, then the final view (`--json`) and the exit code. */
async function watch(s: Session, requestId: string, intervalSeconds: number): Promise<void> {
  const display = watchDisplay(process.stdout, process.env, s.json);
  const { view, exitCode } = await watchRequest(s.api, requestId, { intervalMs: intervalSeconds * 1000, display });
  if (s.json) s.result([], view);
  s.exitCode = exitCode;
}

function auditLines(report: AuditReport, apiUrl: string): string[] {
  const lines = [`audit ${report.auditId}  ${report.status}  (${report.trigger}${report.requestedBy ? ` by ${report.requestedBy}` : ''}, as of ${formatTime(report.asOf)})`];
  if (report.failure) lines.push(`  failure: ${report.failure}`);
  if (report.summary && report.inventory) {
    const severities = Object.entries(report.summary.bySeverity)
      .filter(([, count]) => count > 0)
      .map(([severity, count]) => `${count} ${severity}`);
    lines.push(
      `  ${report.summary.total} findings${severities.length > 0 ? ` (${severities.join(', ')})` : ''} in ${report.inventory.hosts} hosts, ` +
        `${report.inventory.connections} connections, ${report.inventory.pipelines} pipelines`,
    );
  }
  for (const place of report.places ?? []) {
    if (place.status === 'FAILED') lines.push(`  not audited: ${place.accountId} ${place.region}: ${place.error ?? ''}`);
  }
  for (const finding of report.findings) {
    const where = finding.accountId ? ` [${finding.accountId} ${finding.region ?? ''}]` : '';
    lines.push(`  ${finding.severity.padEnd(8)} ${finding.type}${where}: ${finding.message}`);
    lines.push(`           fix: ${finding.fix}${finding.link ? ` (${finding.link})` : ''}`);
  }
  lines.push(`  full report: GET ${apiUrl}/v1/audits/${report.auditId}`);
  return lines;
}

// ---- the program ----

export function buildProgram(run: Run = {}): Command {
  const program = new Command();
  program
    .name('connection-broker')
    .description('Ask for AWS CodeStar connections to GitHub Enterprise Server (or GitLab self-managed) and follow them through the connection broker.')
    .option('--api <url>', 'the API base URL (default: CONNECTION_BROKER_API, the URL saved by login, the running local system, http://127.0.0.1:3000)')
    .option('--json', 'machine output: exactly one JSON document on stdout')
    // Errors exit with 2 and the usage on stderr: main() maps commander's exits.
    .exitOverride()
    .showHelpAfterError()
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 the API refused (or could not be reached), 2 usage error, 3 a watched request ended other than COMPLETED, 4 not signed in.\n' +
        'Environment: CONNECTION_BROKER_API (the API URL), CONNECTION_BROKER_TOKEN (a token instead of the saved one), XDG_CONFIG_HOME (where login saves it).',
    );

  program
    .command('login')
    .description('Sign in: save a bearer token (and the API URL) in $XDG_CONFIG_HOME/connection-broker/credentials.json, readable by you only')
    .option('--token <jwt>', 'the token to save; - reads it from stdin')
    .option('--dev', 'local system only: have it mint a token (POST /_local/dev-sign-in)')
    .option('--sub <subject>', 'with --dev: who to sign in as (e.g. you@example.com)')
    .option('--admin', 'with --dev: as a member of the admin group')
    .addHelpText('after', '\nExamples:\n  connection-broker login --token "$JWT"\n  printf %s "$JWT" | connection-broker login --token -\n  connection-broker login --dev --sub you@example.com')
    .action(async (options: { token?: string; dev?: boolean; sub?: string; admin?: boolean }, command: Command) => {
      const s = session(command, run);
      if ((options.token === undefined) === (options.dev !== true)) throw usageFailure(['Give either --token <jwt> (or --token - for stdin) or --dev --sub <subject>.']);
      if (options.dev !== true && (options.sub !== undefined || options.admin)) throw usageFailure(['--sub and --admin go with --dev.']);
      let token: string;
      if (options.dev) {
        if (!options.sub?.trim()) throw usageFailure(['--dev needs --sub <subject>.']);
        try {
          ({ token } = await s.api.call<{ token: string }>('POST', '/_local/dev-sign-in', { body: { sub: options.sub.trim(), admin: options.admin === true }, anonymous: true }));
        } catch (error) {
          if (error instanceof CliFailure && error.json.error.status === 404) {
            throw new CliFailure(EXIT.refused, [`The API at ${s.apiUrl} offers no dev sign-in: only the local system (npm start) mints tokens. Use --token <jwt>.`], {
              ...error.json,
              error: { ...error.json.error, message: 'no dev sign-in at this API' },
            });
          }
          throw error;
        }
      } else {
        if (options.token === '-' && process.stdin.isTTY) s.note('Paste the token, then press Enter and Ctrl-D.');
        token = (options.token === '-' ? await readInput('-', '--token') : options.token!).trim();
      }
      if (!looksLikeJwt(token)) throw usageFailure(['That is not a JWT (three base64url parts separated by dots).']);
      const file = saveCredentials({ token, api: s.apiUrl, savedAt: new Date().toISOString() });
      const who = identityOf(token);
      s.result(
        [
          `Signed in as ${who.subject ?? '(no subject)'}${who.groups.length > 0 ? ` (${who.groups.join(', ')})` : ''} for ${s.apiUrl}.`,
          ...(who.expiresAt ? [`The token expires ${formatTime(who.expiresAt)}${who.expired ? ': it has already expired' : ''}.`] : []),
          `Saved in ${file}.`,
        ],
        { signedIn: true, subject: who.subject, groups: who.groups, expiresAt: who.expiresAt, api: s.apiUrl, credentialsFile: file },
      );
    });

  program
    .command('logout')
    .description('Forget the saved token')
    .action((_options: unknown, command: Command) => {
      const s = session(command, run);
      const removed = removeCredentials();
      s.result([removed ? `Signed out: removed ${credentialsFile()}.` : 'Not signed in: nothing to remove.'], { signedOut: true, removed });
    });

  program
    .command('whoami')
    .description('Who the token names (read from the token; the API checks it on each call)')
    .action((_options: unknown, command: Command) => {
      const s = session(command, run);
      const token = resolveToken(process.env, readCredentials(), s.apiUrl);
      if (!token) throw new CliFailure(EXIT.notSignedIn, ['Not signed in. Run `connection-broker login`.'], { error: { kind: 'not-signed-in', message: 'Not signed in.' }, exitCode: EXIT.notSignedIn });
      const who = identityOf(token.token);
      s.result(
        [
          `${who.subject ?? '(no subject)'}${who.email && who.email !== who.subject ? ` <${who.email}>` : ''}`,
          `  groups:  ${who.groups.join(', ') || '(none)'}`,
          ...(who.expiresAt ? [`  expires: ${formatTime(who.expiresAt)}${who.expired ? ' (expired: sign in again)' : ''}`] : []),
          `  token:   ${token.source}`,
          `  api:     ${s.apiUrl} (${s.apiSource})`,
        ],
        { ...who, tokenSource: token.source, api: s.apiUrl },
      );
      if (who.expired) s.exitCode = EXIT.notSignedIn;
    });

  program
    .command('request')
    .description('Ask for a connection (POST /v1/connection-requests); flags override the fields of --file')
    .option('--file <path>', 'a JSON request body; - reads it from stdin')
    .option('--provider-endpoint <url>', 'providerEndpoint: https root URL of the GHES or GitLab server')
    .addOption(new Option('--provider-type <type>', 'providerType (default GitHubEnterpriseServer)').choices(PROVIDER_TYPES))
    .option('--connection-name <name>', "connectionName (leave out for a generated one)")
    .option('--account-id <id>', "accountId: a registered spoke account (leave out for the broker's own)")
    .option('--region <region>', "region (leave out for the broker's own)")
    .addOption(new Option('--connection-strategy <strategy>', 'connectionStrategy (default auto)').choices(['auto', 'shared', 'dedicated']))
    .option('--vpc-id <id>', 'vpcConfiguration.vpcId: a host in a VPC')
    .option('--subnet-id <id>', 'vpcConfiguration.subnetIds (repeatable, or comma-separated)', collect)
    .option('--security-group-id <id>', 'vpcConfiguration.securityGroupIds (repeatable, or comma-separated)', collect)
    .option('--tls-certificate-file <path>', "vpcConfiguration.tlsCertificate: a PEM file with the CA certificate of the server's certificate")
    .option('--pipeline-name <name>', 'pipeline.name: the pipeline to attach the connection to')
    .option('--pipeline-action <name>', 'pipeline.sourceActionName: its source action (when it has several)')
    .option('--repository <owner/repo>', 'pipeline.fullRepositoryId (GitLab: group/subgroup/project)')
    .option('--branch <name>', 'pipeline.branchName')
    .addOption(new Option('--output-artifact-format <format>', 'pipeline.outputArtifactFormat (default CODE_ZIP)').choices(['CODE_ZIP', 'CODEBUILD_CLONE_REF']))
    .option('--detect-changes', 'pipeline.detectChanges: true (the default)')
    .option('--no-detect-changes', 'pipeline.detectChanges: false')
    .option('--trigger', 'pipeline.trigger: true, start the pipeline on pushes to the branch (filters: use --file)')
    .option('--no-trigger', 'pipeline.trigger: false')
    .option('--tag <key=value>', 'tags (repeatable)', collect)
    .option('--idempotency-key <key>', 'the Idempotency-Key header (default: a random UUID); the same key and body give the same request')
    .option('--watch', 'then follow the request as status --watch does')
    .option('--interval <seconds>', 'with --watch: seconds between polls', seconds, 2)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  connection-broker request --provider-endpoint https://ghe.example.com --pipeline-name payments --repository platform/payments --branch main --tag team=payments --watch\n' +
        '  connection-broker request --file request.json --connection-name ghe-payments --json',
    )
    .action(async (options: RequestFlags & { file?: string; tlsCertificateFile?: string; idempotencyKey?: string; watch?: boolean; interval: number }, command: Command) => {
      const s = session(command, run);
      let file: unknown;
      if (options.file !== undefined) {
        const text = await readInput(options.file, '--file');
        try {
          file = JSON.parse(text) as unknown;
        } catch (error) {
          throw usageFailure([`--file ${options.file} is not JSON: ${(error as Error).message}`]);
        }
      }
      const tlsCertificate = options.tlsCertificateFile === undefined ? undefined : await readInput(options.tlsCertificateFile, '--tls-certificate-file');
      const built = requestBody({ ...options, ...(tlsCertificate === undefined ? {} : { tlsCertificate }) }, file);
      if (!built.ok) throw usageFailure(built.problems);
      const idempotencyKey = options.idempotencyKey ?? randomUUID();
      const view = await s.api.call<RequestView>('POST', '/v1/connection-requests', { body: built.body, headers: { 'idempotency-key': idempotencyKey } });
      if (!options.watch) {
        s.result([...statusLines(view, new Date()), `Follow it: connection-broker status ${view.requestId} --watch`], view);
        return;
      }
      if (!s.json) process.stdout.write(`Requested ${view.requestId} (${view.connectionName}).\n`);
      await watch(s, view.requestId, options.interval);
    });

  program
    .command('status')
    .description('A request: status, current step, who must act next and by when, where, and its timeline')
    .argument('<id>', 'the request id')
    .option('--watch', 'poll until the request ends, showing each step as it finishes (exit 0 COMPLETED, 3 otherwise)')
    .option('--interval <seconds>', 'with --watch: seconds between polls', seconds, 2)
    .action(async (id: string, options: { watch?: boolean; interval: number }, command: Command) => {
      const s = session(command, run);
      if (options.watch) {
        await watch(s, id, options.interval);
        return;
      }
      const view = await s.api.call<RequestView>('GET', requestPath(id));
      s.result(statusLines(view, new Date()), view);
    });

  program
    .command('list')
    .description('Your requests, newest first (admins: everyone’s)')
    .addOption(new Option('--status <status>', 'only requests in this status').choices(REQUEST_STATUSES))
    .option('--limit <n>', 'requests per page, 1–100 (default 20)', pageSize)
    .option('--cursor <cursor>', 'the page after the one that gave this cursor')
    .option('--all', 'every page')
    .action(async (options: { status?: string; limit?: number; cursor?: string; all?: boolean }, command: Command) => {
      const s = session(command, run);
      const requests: WatchedView[] = [];
      let cursor = options.cursor;
      let nextCursor: string | undefined;
      do {
        const page = await s.api.call<{ requests: WatchedView[]; nextCursor?: string }>('GET', '/v1/connection-requests', {
          query: { status: options.status, limit: options.limit, cursor },
        });
        requests.push(...page.requests);
        nextCursor = page.nextCursor;
        cursor = nextCursor;
      } while (options.all && nextCursor !== undefined);
      const lines = requests.length === 0 ? ['No requests.'] : listLines(requests);
      if (nextCursor !== undefined) lines.push(`More: connection-broker list --cursor ${nextCursor}${options.status ? ` --status ${options.status}` : ''} (or --all)`);
      s.result(lines, { requests, ...(nextCursor === undefined ? {} : { nextCursor }) });
    });

  program
    .command('cancel')
    .description('Cancel a request: the workflow stops and rolls back what it created (follow it with status --watch)')
    .argument('<id>', 'the request id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const s = session(command, run);
      const view = await s.api.call<RequestView>('POST', `${requestPath(id)}/cancel`);
      s.result([...statusLines(view, new Date()), `Follow the rollback: connection-broker status ${view.requestId} --watch`], view);
    });

  program
    .command('check')
    .description('"I have done my console step": ask the broker to look now instead of at its next poll')
    .argument('<id>', 'the request id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const s = session(command, run);
      const answer = await s.api.call<{ check: { message: string }; request: RequestView }>('POST', `${requestPath(id)}/check`);
      s.result([answer.check.message, ...statusLines(answer.request, new Date())], answer);
    });

  for (const decision of ['approve', 'reject'] as const) {
    program
      .command(decision)
      .description(`Admins: ${decision} the connection a request waits for (as an approver in Slack does)`)
      .argument('<id>', 'the request id')
      .action(async (id: string, _options: unknown, command: Command) => {
        const s = session(command, run);
        const view = await s.api.call<RequestView>('POST', `${requestPath(id)}/${decision}`);
        s.result(statusLines(view, new Date()), view);
      });
  }

  program
    .command('audit')
    .description('Admins: the latest fleet audit (GET /v1/audits/latest); --run starts one and waits for it')
    .option('--run', 'start an audit (POST /v1/audits), wait for it and show it (exit 3 when it FAILED)')
    .option('--interval <seconds>', 'with --run: seconds between polls', seconds, 1)
    .action(async (options: { run?: boolean; interval: number }, command: Command) => {
      const s = session(command, run);
      let report: AuditReport;
      if (options.run) {
        const started = await s.api.call<AuditReport & { links: { self: string } }>('POST', '/v1/audits');
        s.note(`audit ${started.auditId} running…`);
        report = started;
        while (report.status === 'RUNNING') {
          await new Promise((resolve) => setTimeout(resolve, options.interval * 1000));
          report = await s.api.call<AuditReport>('GET', started.links.self);
        }
        if (report.status === 'FAILED') s.exitCode = EXIT.notCompleted;
      } else {
        report = await s.api.call<AuditReport>('GET', '/v1/audits/latest');
      }
      s.result(auditLines(report, s.apiUrl), report);
    });

  return program;
}

function printFailure(failure: CliFailure | JsonFailure, json: boolean): void {
  if (failure instanceof CliFailure) process.stderr.write(failure.lines.map((line) => `${line}\n`).join(''));
  if (json) process.stdout.write(`${JSON.stringify(failure instanceof CliFailure ? failure.json : failure, null, 2)}\n`);
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const end = argv.indexOf('--');
  const json = (end === -1 ? argv : argv.slice(0, end)).includes('--json');
  const run: Run = {};
  const program = buildProgram(run);
  let usageMessage = '';
  let active: Command = program;
  program.configureOutput({
    outputError: (text, write) => {
      usageMessage ||= text.trim();
      write(text);
    },
  });
  program.hook('preAction', (_program, actionCommand) => {
    active = actionCommand;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return run.session?.exitCode ?? EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are not errors.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      if (json) printFailure({ error: { kind: 'usage', message: usageMessage || error.message }, exitCode: EXIT.usage }, true);
      return EXIT.usage;
    }
    if (error instanceof CliFailure) {
      printFailure(error, json);
      if (error.exitCode === EXIT.usage) process.stderr.write(`\n${active.helpInformation({ error: true })}`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`connection-broker: ${message}\n`);
    if (json) printFailure({ error: { kind: 'api', message }, exitCode: EXIT.refused }, true);
    return EXIT.refused;
  }
}
