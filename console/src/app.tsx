import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ConsoleConfig } from '../config.ts';
import { apiClient } from './api.ts';
import { AdminPage } from './pages/admin.tsx';
import { NewRequestPage } from './pages/new-request.tsx';
import { RequestPage } from './pages/request.tsx';
import { RequestsPage } from './pages/requests.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { CALLBACK_PATH, currentSession, finishOidcSignIn, signOut, type Session } from './session.ts';

export function App({ config }: { config: ConsoleConfig }) {
  return (
    <LocationProvider>
      <Shell config={config} />
    </LocationProvider>
  );
}

function Shell({ config }: { config: ConsoleConfig }) {
  const location = useLocation();
  const [session, setSession] = useState<Session | undefined>(currentSession);
  const [signInError, setSignInError] = useState<string>();
  const api = useMemo(() => apiClient(config, () => setSession(undefined)), [config]);

  useEffect(() => {
    if (location.path !== CALLBACK_PATH || config.auth.mode !== 'oidc') return;
    finishOidcSignIn(config.auth)
      .then(({ session: signedIn, returnTo }) => {
        setSession(signedIn);
        location.route(returnTo, true);
      })
      .catch((error: Error) => setSignInError(error.message));
  }, [location.path]);

  if (session === undefined) {
    return (
      <Frame session={undefined} onSignOut={() => undefined}>
        <SignInPage config={config} error={signInError} onSignedIn={setSession} />
      </Frame>
    );
  }
  return (
    <Frame
      session={session}
      onSignOut={() => {
        signOut();
        setSession(undefined);
      }}
    >
      <Router>
        <Route path="/" component={() => <RequestsPage api={api} session={session} />} />
        <Route path="/requests" component={() => <RequestsPage api={api} session={session} />} />
        <Route path="/requests/new" component={() => <NewRequestPage api={api} />} />
        <Route path="/requests/:id" component={({ id }: { id: string }) => <RequestPage api={api} session={session} requestId={id} />} />
        <Route path="/admin" component={() => <AdminPage api={api} session={session} />} />
        <Route default component={() => <p>There is no such page. <a href="/">Your requests</a></p>} />
      </Router>
    </Frame>
  );
}

function Frame({ session, onSignOut, children }: { session: Session | undefined; onSignOut: () => void; children: preact.ComponentChildren }) {
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <span class="brand">connection-broker</span>
        {session && (
          <nav aria-label="Main">
            <a href="/requests/new">New request</a>
            <a href="/requests">Requests</a>
            {session.isAdmin && <a href="/admin">Admin</a>}
            <a href="/docs/">API docs</a>
          </nav>
        )}
        {session && (
          <span class="who">
            {session.subject}
            {session.isAdmin ? ' (admin)' : ''}{' '}
            <button type="button" class="link" onClick={onSignOut}>
              Sign out
            </button>
          </span>
        )}
      </header>
      <main id="main">{children}</main>
    </>
  );
}
