import { useEffect, useState } from 'preact/hooks';
import type { Finding, Severity } from '../../../functions/audit/model.ts';
import type { AuditReport } from '../../../functions/audit/report.ts';
import type { ConnectionView, HostView } from '../../../functions/audit/inventory-views.ts';
import type { SyncConfigurationView } from '../../../functions/audit/sync-configuration-views.ts';
import type { RequestView } from '../../../functions/request/request-view.ts';
import { ApiProblem, type Api } from '../api.ts';
import { safeHref } from '../actions.ts';
import { relative, when } from '../format.ts';
import type { Session } from '../session.ts';
import { StatusBadge } from './status-badge.tsx';

const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
const APPROVAL_STATUSES = ['WAITING_FOR_APPROVAL', 'WAITING_FOR_DECOMMISSION_APPROVAL'];

/** Findings by severity, worst first, for the audit section. */
export function bySeverity(findings: readonly Finding[]): [Severity, Finding[]][] {
  return SEVERITIES.map((severity): [Severity, Finding[]] => [severity, findings.filter((finding) => finding.severity === severity)]).filter(([, list]) => list.length > 0);
}

/** Every request in a status, following the API's cursor (approvals are few; a page holds 100). */
async function everyRequest(api: Api, status: string): Promise<RequestView[]> {
  const requests: RequestView[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ status, limit: '100', ...(cursor ? { cursor } : {}) });
    const page = await api<{ requests: RequestView[]; nextCursor?: string }>('GET', `/v1/connection-requests?${query}`);
    requests.push(...page.requests);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return requests;
}

export function AdminPage({ api, session }: { api: Api; session: Session }) {
  const [approvals, setApprovals] = useState<RequestView[]>();
  const [audit, setAudit] = useState<AuditReport | null>();
  const [hosts, setHosts] = useState<HostView[]>();
  const [connections, setConnections] = useState<ConnectionView[]>();
  const [syncConfigurations, setSyncConfigurations] = useState<SyncConfigurationView[]>();
  const [notice, setNotice] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const [refresh, setRefresh] = useState(0);

  useEffect(() => {
    if (!session.isAdmin) return undefined;
    let stale = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      if (!document.hidden) {
        try {
          const [waiting, report, hostList, connectionList, syncList] = await Promise.all([
            Promise.all(APPROVAL_STATUSES.map((status) => everyRequest(api, status))),
            api<AuditReport>('GET', '/v1/audits/latest').catch((error: unknown) => (error instanceof ApiProblem && error.status === 404 ? null : Promise.reject(error))),
            api<{ hosts: HostView[] }>('GET', '/v1/hosts'),
            api<{ connections: ConnectionView[] }>('GET', '/v1/connections'),
            api<{ syncConfigurations: SyncConfigurationView[] }>('GET', '/v1/sync-configurations'),
          ]);
          if (stale) return;
          setApprovals(waiting.flat());
          setAudit(report);
          setHosts(hostList.hosts);
          setConnections(connectionList.connections);
          setSyncConfigurations(syncList.syncConfigurations);
          setProblem(undefined);
        } catch (error) {
          if (stale) return;
          setProblem((error as Error).message);
        }
      }
      // The next look starts once this one has ended: slow answers never pile up.
      if (!stale) timer = setTimeout(() => void load(), 5000);
    };
    void load();
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [refresh]);

  if (!session.isAdmin) return <p class="card">Only admins see this page.</p>;

  async function decide(request: RequestView, decision: 'approve' | 'reject') {
    try {
      await api('POST', `/v1/connection-requests/${request.requestId}/${decision}`, {});
      setNotice(`${decision === 'approve' ? 'Approved' : 'Rejected'} ${request.connectionName}.`);
    } catch (error) {
      setNotice(`${request.connectionName}: ${(error as Error).message}`);
    }
    setRefresh((count) => count + 1);
  }

  return (
    <>
      <section class="card" aria-labelledby="approvals-heading">
        <h1 id="approvals-heading">Approvals waiting</h1>
        {problem && (
          <p role="alert" class="error">
            {problem}
          </p>
        )}
        {notice && (
          <p role="status" class="notice">
            {notice}
          </p>
        )}
        {approvals?.length === 0 && <p>Nothing waits for an approval.</p>}
        {approvals && approvals.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">Requester</th>
                <th scope="col">Waiting since</th>
                <th scope="col">Deadline</th>
                <th scope="col">Decide</th>
              </tr>
            </thead>
            <tbody>
              {approvals.map((request) => (
                <tr key={request.requestId} data-request={request.requestId}>
                  <td>
                    <a href={`/requests/${request.requestId}`}>{request.connectionName}</a> <StatusBadge status={request.status} />
                    <div class="hint">{request.nextAction?.message}</div>
                  </td>
                  <td>{request.requester.email ?? request.requester.id}</td>
                  <td>{when(request.waitingFor?.since)}</td>
                  <td>{request.nextAction?.deadline ? relative(request.nextAction.deadline) : ''}</td>
                  <td class="actions">
                    <button type="button" onClick={() => void decide(request, 'approve')} aria-label={`Approve ${request.connectionName}`}>
                      Approve
                    </button>
                    <button type="button" class="danger" onClick={() => void decide(request, 'reject')} aria-label={`Reject ${request.connectionName}`}>
                      Reject
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section class="card" aria-labelledby="audit-heading">
        <h2 id="audit-heading">Latest audit</h2>
        {audit === null && <p>No audit has completed yet (the auditor runs on its schedule; `npx connection-broker audit --run` starts one).</p>}
        {audit && (
          <>
            <p>
              {audit.status} {when(audit.finishedAt ?? audit.startedAt)}: {audit.findings.length} findings.
            </p>
            {bySeverity(audit.findings).map(([severity, findings]) => (
              <details key={severity} open={severity === 'critical' || severity === 'high'}>
                <summary>
                  <span class={`severity ${severity}`}>{severity}</span> ({findings.length})
                </summary>
                <ul class="findings">
                  {findings.map((finding, index) => (
                    <li key={`${finding.type}-${finding.resource}-${index}`}>
                      <strong>{finding.type}</strong> {finding.message}
                      <div>Fix: {finding.fix}</div>
                      {safeHref(finding.link) && (
                        <a href={safeHref(finding.link)} target="_blank" rel="noopener noreferrer">
                          Where to fix it
                        </a>
                      )}
                    </li>
                  ))}
                </ul>
              </details>
            ))}
          </>
        )}
      </section>

      <section class="card" aria-labelledby="inventory-heading">
        <h2 id="inventory-heading">Hosts</h2>
        <Inventory rows={hosts} detail={(host) => host.providerEndpoint ?? ''} />
        <h2>Connections</h2>
        <Inventory rows={connections} detail={(connection) => connection.pipelines.join(', ')} />
      </section>

      <section class="card" aria-labelledby="git-sync-heading">
        <h2 id="git-sync-heading">Git sync</h2>
        <SyncConfigurations rows={syncConfigurations} />
      </section>
    </>
  );
}

function Inventory<T extends HostView | ConnectionView>({ rows, detail }: { rows: T[] | undefined; detail: (row: T) => string }) {
  if (rows === undefined) return <p>Loading…</p>;
  if (rows.length === 0) return <p>None yet.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Status</th>
          <th scope="col">Owner</th>
          <th scope="col">Details</th>
          <th scope="col">Findings</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.arn}>
            <td>{safeHref(row.links.console) ? <a href={safeHref(row.links.console)}>{row.name}</a> : row.name}</td>
            <td>{row.status}</td>
            <td>{row.owner ?? ''}</td>
            <td>{detail(row)}</td>
            <td>{row.findings.map((finding) => finding.type).join(', ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** GET /v1/sync-configurations: each stack Git sync keeps in step, its latest sync and open blockers (resolved on the request's page). */
function SyncConfigurations({ rows }: { rows: SyncConfigurationView[] | undefined }) {
  if (rows === undefined) return <p>Loading…</p>;
  if (rows.length === 0) return <p>No Git sync configurations.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Stack</th>
          <th scope="col">Repository</th>
          <th scope="col">Latest sync</th>
          <th scope="col">Open blockers</th>
          <th scope="col">Request</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.stackName} data-stack={row.stackName}>
            <td>
              {safeHref(row.links.console) ? (
                <a href={safeHref(row.links.console)} target="_blank" rel="noopener noreferrer" title="The stack in the CloudFormation console">
                  {row.stackName}
                </a>
              ) : (
                row.stackName
              )}
            </td>
            <td>
              {row.repository}@{row.branch}
            </td>
            <td>{row.status ?? 'None yet'}</td>
            <td>
              {row.openBlockers.length}
              {row.openBlockers.length > 0 && <div class="hint">{row.openBlockers.map((blocker) => blocker.reason || blocker.type).join('; ')}</div>}
            </td>
            <td>{row.requestId ? <a href={`/requests/${encodeURIComponent(row.requestId)}`}>Open the request</a> : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
