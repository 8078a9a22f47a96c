import { useEffect, useState } from 'preact/hooks';
import type { RequestView } from '../../../functions/request/request-view.ts';
import { REQUEST_STATUSES } from '../../../functions/request/model.ts';
import type { Api } from '../api.ts';
import { ACTORS, relative, statusLabel, when } from '../format.ts';
import type { Session } from '../session.ts';
import { StatusBadge } from './status-badge.tsx';

const PAGE_SIZE = 20;

export function RequestsPage({ api, session }: { api: Api; session: Session }) {
  const [status, setStatus] = useState('');
  // The cursors of the pages before this one: Previous pops one.
  const [cursors, setCursors] = useState<string[]>([]);
  const [page, setPage] = useState<{ requests: RequestView[]; nextCursor?: string }>();
  const [problem, setProblem] = useState<string>();
  const cursor = cursors.at(-1);

  useEffect(() => {
    let stale = false;
    // The page shown belongs to the old filter or cursor: gone until the new one arrives.
    setPage(undefined);
    const load = () => {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE), ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
      api<{ requests: RequestView[]; nextCursor?: string }>('GET', `/v1/connection-requests?${query}`)
        .then((answer) => !stale && (setPage(answer), setProblem(undefined)))
        .catch((error: Error) => !stale && setProblem(error.message));
    };
    load();
    // The list moves as requests do; a few seconds is soon enough for a list.
    const timer = setInterval(load, 5000);
    return () => {
      stale = true;
      clearInterval(timer);
    };
  }, [status, cursor]);

  return (
    <section class="card">
      <h1>{session.isAdmin ? 'All requests' : 'My requests'}</h1>
      <div class="toolbar">
        <label for="status-filter">Status</label>
        <select
          id="status-filter"
          value={status}
          onChange={(event) => {
            setStatus(event.currentTarget.value);
            setCursors([]);
          }}
        >
          <option value="">Any</option>
          {REQUEST_STATUSES.map((value) => (
            <option key={value} value={value}>
              {statusLabel(value)}
            </option>
          ))}
        </select>
        <a class="button" href="/requests/new">
          New request
        </a>
      </div>
      {problem && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
      {page && page.requests.length === 0 && <p>No requests{status ? ` with status ${statusLabel(status)}` : ''}.</p>}
      {page && page.requests.length > 0 && (
        <table>
          <caption class="visually-hidden">Requests, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Connection</th>
              <th scope="col">Status</th>
              <th scope="col">Waiting for</th>
              <th scope="col">Deadline</th>
              <th scope="col">Asked</th>
            </tr>
          </thead>
          <tbody>
            {page.requests.map((request) => (
              <tr key={request.requestId}>
                <td>
                  <a href={`/requests/${request.requestId}`}>{request.connectionName}</a>
                  <div class="hint">{request.providerEndpoint}</div>
                </td>
                <td>
                  <StatusBadge status={request.status} />
                </td>
                <td>{request.nextAction ? `${ACTORS[request.nextAction.actor] ?? request.nextAction.actor}: ${request.nextAction.message}` : request.currentStep}</td>
                <td>{request.nextAction?.deadline ? `${when(request.nextAction.deadline)} (${relative(request.nextAction.deadline)})` : ''}</td>
                <td>{when(request.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="pager">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <button type="button" disabled={!page?.nextCursor} onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}>
          Next page
        </button>
      </div>
    </section>
  );
}
