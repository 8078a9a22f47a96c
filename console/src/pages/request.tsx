import { useEffect, useState } from 'preact/hooks';
import type { RequestView } from '../../../functions/request/request-view.ts';
import type { WorkflowProgress } from '../../../functions/request/workflow-progress.ts';
import { ApiProblem, type Api } from '../api.ts';
import { requestActions, resolvableBlockers, safeHref } from '../actions.ts';
import { ACTORS, isTerminal, relative, when } from '../format.ts';
import type { Session } from '../session.ts';
import { WorkflowDiagram } from '../workflow/diagram.tsx';
import { StatusBadge } from './status-badge.tsx';

/** How often the page asks again: the watcher notices a human step within a minute, so a few seconds is plenty. */
const POLL_MS = 3000;
/** After failures it waits longer each time, up to this. */
const MAX_BACKOFF_MS = 30_000;

export function RequestPage({ api, session, requestId }: { api: Api; session: Session; requestId: string }) {
  const [request, setRequest] = useState<RequestView>();
  const [progress, setProgress] = useState<WorkflowProgress>();
  const [problem, setProblem] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [refresh, setRefresh] = useState(0);

  useEffect(() => {
    let stale = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    const path = `/v1/connection-requests/${encodeURIComponent(requestId)}`;
    const load = async () => {
      // A hidden tab asks nothing; it catches up when shown again.
      if (document.hidden) return void (timer = setTimeout(() => void load(), POLL_MS));
      let ended = false;
      try {
        const view = await api<RequestView>('GET', path);
        if (stale) return;
        setRequest(view);
        setProblem(undefined);
        failures = 0;
        // The graph is a second look: its failure never hides the request.
        const workflow = await api<WorkflowProgress>('GET', `${path}/workflow`).catch(() => undefined);
        if (stale) return;
        if (workflow) setProgress(workflow);
        // A finished request does not move again until someone acts here.
        ended = isTerminal(view.status) && workflow?.executionStatus !== 'RUNNING';
      } catch (error) {
        if (stale) return;
        failures += 1;
        setProblem((error as Error).message);
        // Not yours, or no such request: asking again will not change that.
        if (error instanceof ApiProblem && (error.status === 403 || error.status === 404)) return;
      }
      if (!ended) timer = setTimeout(() => void load(), Math.min(POLL_MS * 2 ** failures, MAX_BACKOFF_MS));
    };
    void load();
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [requestId, refresh]);

  async function act(label: string, path: string) {
    setBusy(true);
    setNotice(undefined);
    try {
      const answer = await api<{ check?: { message: string } } & Partial<RequestView>>('POST', `/v1/connection-requests/${encodeURIComponent(requestId)}/${path}`, {});
      setNotice(answer.check?.message ?? `${label}: done.`);
      setRefresh((count) => count + 1);
    } catch (error) {
      setNotice(`${label}: ${(error as Error).message}`);
    } finally {
      setBusy(false);
    }
  }

  if (request === undefined) {
    return <section class="card">{problem ? <p role="alert" class="error">{problem}</p> : <p>Loading the request…</p>}</section>;
  }
  const next = request.nextAction;
  const actions = requestActions(request, session);
  const actionUrl = safeHref(next?.actionUrl);

  return (
    <>
      <section class="card">
        <p class="crumbs">
          <a href="/requests">Requests</a> / {request.requestId}
        </p>
        <h1>{request.connectionName}</h1>
        <p class="status-line" aria-live="polite">
          <StatusBadge status={request.status} /> <span data-testid="current-step">{request.currentStep}</span>
        </p>
        {problem && (
          <p role="alert" class="error">
            Could not refresh: {problem}
          </p>
        )}
        <dl class="facts">
          <dt>Server</dt>
          <dd>
            {request.providerEndpoint} ({request.providerType})
          </dd>
          <dt>Requested by</dt>
          <dd>{request.requester.email ?? request.requester.id}</dd>
          <dt>Region</dt>
          <dd>
            {request.region}
            {request.accountId ? ` in ${request.accountId}` : ''}
          </dd>
          {request.pipeline && (
            <>
              <dt>Pipeline</dt>
              <dd>
                {request.pipeline.name} / {request.pipeline.sourceActionName} ← {request.pipeline.fullRepositoryId}@{request.pipeline.branchName}
              </dd>
            </>
          )}
          {request.connectionArn && (
            <>
              <dt>Connection</dt>
              <dd class="arn">{request.connectionArn}</dd>
            </>
          )}
        </dl>
      </section>

      <section class="card next" aria-labelledby="next-heading">
        <h2 id="next-heading">What happens next</h2>
        {next ? (
          <div data-testid="next-action">
            <p>
              <strong>{ACTORS[next.actor] ?? next.actor}</strong>: {next.message}
            </p>
            {next.deadline && (
              <p>
                By {when(next.deadline)} ({relative(next.deadline)}); after that the request times out and is rolled back.
              </p>
            )}
            {actionUrl && (
              <p>
                <a class="button" href={actionUrl} target="_blank" rel="noopener noreferrer">
                  Open it in the AWS console
                </a>
              </p>
            )}
          </div>
        ) : (
          <p data-testid="next-action">{isTerminal(request.status) ? 'Nothing: the request has ended.' : 'Nobody needs to act: the system is working.'}</p>
        )}
        {request.failure && (
          <p class="error">
            {request.failure.code}: {request.failure.message}
          </p>
        )}
        {request.attention.map((item) => (
          <p key={item.message} class="warning">
            {ACTORS[item.actor] ?? item.actor}: {item.message} {safeHref(item.actionUrl) && <a href={safeHref(item.actionUrl)}>Open</a>}
          </p>
        ))}
        <div class="actions">
          {actions.checkNow && (
            <button type="button" disabled={busy} onClick={() => void act('Check now', 'check')}>
              Done in the console: check now
            </button>
          )}
          {actions.decide && (
            <>
              <button type="button" disabled={busy} onClick={() => void act('Approve', 'approve')}>
                Approve
              </button>
              <button type="button" class="danger" disabled={busy} onClick={() => void act('Reject', 'reject')}>
                Reject
              </button>
            </>
          )}
          {actions.cancel && (
            <button
              type="button"
              class="danger"
              disabled={busy}
              onClick={() => {
                if (confirm('Cancel this request? What it created is rolled back.')) void act('Cancel', 'cancel');
              }}
            >
              Cancel request
            </button>
          )}
        </div>
        {notice && (
          <p role="status" class="notice">
            {notice}
          </p>
        )}
      </section>

      {request.gitSync && <GitSyncPanel api={api} gitSync={request.gitSync} resolvable={resolvableBlockers(request, session)} onResolved={setRequest} />}

      <section class="card" aria-labelledby="workflow-heading">
        <h2 id="workflow-heading">Workflow</h2>
        <WorkflowDiagram progress={progress} />
      </section>

      <section class="card" aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        <ol class="timeline">
          {request.timeline.map((entry, index) => (
            <li key={`${entry.at}-${index}`}>
              <time dateTime={entry.at}>{when(entry.at)}</time> <span class="step">{entry.step}</span> <span class="actor">{entry.actor}</span>
              <div>{entry.message}</div>
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}

type GitSyncView = NonNullable<RequestView['gitSync']>;
type Blocker = GitSyncView['blockers'][number];

/** Git sync as asked for and as last seen: the stack, the latest sync, the open blockers (each resolvable where the viewer may). */
function GitSyncPanel({ api, gitSync, resolvable, onResolved }: { api: Api; gitSync: GitSyncView; resolvable: string[]; onResolved: (view: RequestView) => void }) {
  const [notice, setNotice] = useState<string>();
  const resolved = (blockerId: string) => (view: RequestView) => {
    setNotice(`Resolved blocker ${blockerId}: Git sync syncs again.`);
    onResolved(view);
  };
  return (
    <section class="card" aria-labelledby="git-sync-heading" data-testid="git-sync">
      <h2 id="git-sync-heading">Git sync</h2>
      <dl class="facts">
        <dt>Stack</dt>
        <dd data-testid="git-sync-stack">{gitSync.stackName}</dd>
        <dt>Repository</dt>
        <dd>
          {gitSync.repository}@{gitSync.branch}, {gitSync.configFile}
        </dd>
        <dt>Deployment role</dt>
        <dd class="arn">{gitSync.roleArn}</dd>
        <dt>Latest sync</dt>
        <dd data-testid="git-sync-status">{gitSync.status ?? 'None yet'}</dd>
      </dl>
      <h3>Open blockers</h3>
      {gitSync.blockers.length === 0 ? (
        <p data-testid="git-sync-blockers">None: Git sync is not blocked.</p>
      ) : (
        <ul data-testid="git-sync-blockers">
          {gitSync.blockers.map((blocker) => (
            <BlockerItem key={blocker.id} api={api} stackName={gitSync.stackName} blocker={blocker} resolvable={resolvable.includes(blocker.id)} onResolved={resolved(blocker.id)} />
          ))}
        </ul>
      )}
      {notice && (
        <p role="status" class="notice" data-testid="git-sync-notice">
          {notice}
        </p>
      )}
    </section>
  );
}

/** One open blocker; for an admin, "Resolve" opens a small form asking what was fixed (the API's required reason). */
function BlockerItem({ api, stackName, blocker, resolvable, onResolved }: { api: Api; stackName: string; blocker: Blocker; resolvable: boolean; onResolved: (view: RequestView) => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const id = `blocker-${blocker.id}`;
  const reasonId = `${id}-reason`;

  async function resolve(event: Event) {
    event.preventDefault();
    setProblem(undefined);
    if (reason.trim() === '') {
      setReasonError('Required: say what was fixed, so Git sync can go on.');
      queueMicrotask(() => document.getElementById(reasonId)?.focus());
      return;
    }
    setReasonError(undefined);
    setBusy(true);
    try {
      const answer = await api<{ request?: RequestView }>('POST', `/v1/sync-configurations/${encodeURIComponent(stackName)}/blockers/${encodeURIComponent(blocker.id)}/resolve`, { reason: reason.trim() });
      if (answer.request) onResolved(answer.request);
      setOpen(false);
    } catch (error) {
      const fieldProblem = error instanceof ApiProblem ? error.errors.find((item) => item.path === 'reason') : undefined;
      if (fieldProblem) {
        setReasonError(fieldProblem.message);
        queueMicrotask(() => document.getElementById(reasonId)?.focus());
      } else setProblem((error as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <li data-blocker={blocker.id}>
      <span id={id}>
        <strong>{blocker.type}</strong>: {blocker.reason} (blocker {blocker.id}
        {blocker.createdAt ? `, since ${when(blocker.createdAt)}` : ''})
      </span>
      {resolvable && !open && (
        <div class="actions">
          <button type="button" aria-describedby={id} onClick={() => setOpen(true)}>
            Resolve
          </button>
        </div>
      )}
      {resolvable && open && (
        <form noValidate onSubmit={(event) => void resolve(event)} aria-label={`Resolve blocker ${blocker.id}`}>
          <div class={`field${reasonError ? ' invalid' : ''}`}>
            <label for={reasonId}>Reason: what was fixed</label>
            <span class="hint" id={`${reasonId}-hint`}>
              Resolve only once the cause is fixed: Git sync then syncs again. Kept by Git sync as the resolved reason.
            </span>
            <input
              id={reasonId}
              type="text"
              required
              value={reason}
              aria-invalid={reasonError !== undefined}
              aria-describedby={[`${reasonId}-hint`, reasonError ? `${reasonId}-error` : undefined].filter(Boolean).join(' ')}
              onInput={(event) => setReason(event.currentTarget.value)}
            />
            {reasonError && (
              <span class="field-error" id={`${reasonId}-error`} data-field="reason">
                {reasonError}
              </span>
            )}
          </div>
          {problem && (
            <p role="alert" class="error">
              {problem}
            </p>
          )}
          <div class="actions">
            <button type="submit" disabled={busy}>
              {busy ? 'Resolving…' : 'Resolve blocker'}
            </button>
            <button type="button" disabled={busy} onClick={() => setOpen(false)}>
              Not now
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
