/**
 * `npm start`: the whole system locally. PORT (HTTP API, default 3000), SANDBOX_PORT (AWS sandbox,
 * default 4566). State persists under .local/ (delete it to start afresh).
 * `npm start -- --packaged` runs the packaged, minified bundles instead of the sources;
 * LOCAL_IAM_ENFORCEMENT=off lets every AWS call through without IAM's checks.
 * The terminal shows one line per step of each request, and the functions' warnings and errors;
 * LOG_FORMAT=json shows the functions' own output instead (Powertools JSON logs, EMF metrics).
 */
import { fileURLToPath } from 'node:url';
import { ensureConsoleBuilt } from '../../console/build.ts';
import { startLocalSystem } from './local-system.ts';
import { logFormatFrom } from './runtime/function-output.ts';
import { recordRunningSystem } from './running-system.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const packaged = process.argv.includes('--packaged');
const logFormat = logFormatFrom(process.env.LOG_FORMAT);
const started = performance.now();
// The web console is built once and again only when its sources change (a few seconds).
const consoleBuild = await ensureConsoleBuilt(root);
const system = await startLocalSystem({
  root,
  apiPort: Number(process.env.PORT ?? 3000),
  sandboxPort: Number(process.env.SANDBOX_PORT ?? 4566),
  packaged,
  logFormat,
  log: (line) => console.log(line),
});

// Scripts (npm run audit) read where this system listens from .local/running.json.
const forgetRunningSystem = recordRunningSystem({ apiUrl: system.apiUrl, sandboxUrl: system.sandbox.url });

console.log(`connection-broker is running locally (ready in ${Math.round(performance.now() - started)} ms)`);
console.log(`  web console:  ${system.apiUrl}/  (sign in as a requester or an admin; API docs at ${system.apiUrl}/docs${consoleBuild.built ? '; just rebuilt' : ''})`);
console.log(`  REST API:     ${system.apiUrl}  (try: curl ${system.apiUrl}/v1/health)`);
console.log(`  AWS sandbox:  ${system.sandbox.url}  (control API: ${system.sandbox.url}/_sandbox)`);
console.log(`  fake Slack:   ${system.sandbox.url}/_sandbox/slack/messages`);
console.log(`  functions:    ${system.packaged ? 'the packaged bundles (.local/package)' : 'the TypeScript sources'}, each in its own Lambda environment with its timeout`);
console.log(
  system.sandbox.authorizer.enabled
    ? `  IAM:          enforced: each function calls AWS as its role in the packaged template (refusals: ${system.sandbox.url}/_sandbox/iam/enforcement; LOCAL_IAM_ENFORCEMENT=off to switch off)`
    : '  IAM:          not enforced (LOCAL_IAM_ENFORCEMENT=off)',
);
console.log(
  logFormat === 'json'
    ? "  logs:         one line per request step, and the functions' JSON logs and metrics as they print them (LOG_FORMAT=json)"
    : "  logs:         one line per request step, and the functions' warnings and errors (LOG_FORMAT=json for all their JSON logs and metrics)",
);
console.log(`  a dev token:  TOKEN=$(npm run -s token -- --sub alice@example.com)   (add --admin for an admin)`);
console.log(`  CLI:          npx connection-broker login --dev --sub alice@example.com; npx connection-broker --help`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    forgetRunningSystem();
    void system.close().then(() => process.exit(0));
  });
}
