/**
 * `npm run audit [-- --now]`: audits the system `npm start` runs, through its admin API
 * (POST /v1/audits), waits for the report and prints it as a short table.
 *
 * Ages are evaluated as of the sandbox clock (`GET /_sandbox/clock`), the time the local workflow
 * and the local schedule follow, so days moved on with `POST /_sandbox/clock/advance` count;
 * `--now` uses the real time instead. The ports: PORT and SANDBOX_PORT when set, otherwise those the
 * running `npm start` recorded in .local/running.json (infra/local/running-system.ts).
 */
import { parseArgs } from 'node:util';
import { localEndpoints } from '../infra/local/running-system.ts';
import { ADMIN_GROUP, mintToken } from '../infra/local/runtime/jwt.ts';
import type { AuditReport } from '../functions/audit/report.ts';
import { parseCommandLine } from './cli.ts';

const USAGE = [
  'usage: npm run audit [-- --now]',
  '  audits the system `npm start` runs (POST /v1/audits) and prints its findings;',
  '  --now  evaluate ages as of the real time instead of the sandbox clock',
  '  the ports are PORT/SANDBOX_PORT when set, otherwise those of the running `npm start` (.local/running.json)',
].join('\n');

const values = parseCommandLine(USAGE, () =>
  parseArgs({ options: { now: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }),
);
const endpoints = localEndpoints();
const api = endpoints.apiUrl;
const sandbox = endpoints.sandboxUrl;

async function request<T>(url: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch {
    process.stderr.write(`cannot reach ${url} (chosen from ${endpoints.source}): start the system with \`npm start\`, or set PORT/SANDBOX_PORT to its ports\n`);
    process.exit(1);
  }
  const body = (await response.json()) as T;
  if (!response.ok) {
    process.stderr.write(`${init.method ?? 'GET'} ${url} → ${response.status} ${JSON.stringify(body)}\n`);
    process.exit(1);
  }
  return body;
}

const token = await mintToken({ sub: 'audit-cli@example.com', groups: [ADMIN_GROUP] });
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const asOf = values.now ? new Date().toISOString() : (await request<{ now: string }>(`${sandbox}/_sandbox/clock`)).now;
const started = await request<AuditReport>(`${api}/v1/audits`, { method: 'POST', headers, body: JSON.stringify({ asOf }) });
process.stderr.write(`audit ${started.auditId} as of ${asOf} …\n`);

let report = started;
while (report.status === 'RUNNING') {
  await new Promise((resolve) => setTimeout(resolve, 250));
  report = await request<AuditReport>(`${api}/v1/audits/${started.auditId}`, { headers });
}
if (report.status !== 'COMPLETED') {
  process.stderr.write(`audit ${report.status}: ${report.failure ?? ''}\n`);
  process.exit(1);
}

const inventory = report.inventory!;
const places = report.places ?? [];
const notAudited = places.filter((place) => place.status === 'FAILED').length;
console.log(
  `${report.summary!.total} findings in ${inventory.hosts} hosts, ${inventory.connections} connections, ${inventory.pipelines} pipelines across ${places.length} account/Region place(s)${notAudited ? `, ${notAudited} not audited` : ''} (${report.calls!.total} AWS calls, ${report.durationMs} ms)`,
);
for (const finding of report.findings) {
  const where = finding.accountId ? ` [${finding.accountId} ${finding.region ?? ''}]` : '';
  console.log(`${finding.severity.padEnd(8)} ${finding.type.padEnd(28)} ${finding.owner ?? '-'}${where}  ${finding.message}`);
  console.log(`${' '.repeat(38)}fix: ${finding.fix}`);
}
console.log(`full report: GET ${api}/v1/audits/${report.auditId} (admin token: npm run -s token -- --sub you@example.com --admin)`);
