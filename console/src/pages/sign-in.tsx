import { useState } from 'preact/hooks';
import type { ConsoleConfig } from '../../config.ts';
import { devSignIn, startOidcSignIn, type Session } from '../session.ts';

export function SignInPage({ config, error, onSignedIn }: { config: ConsoleConfig; error: string | undefined; onSignedIn: (session: Session) => void }) {
  const [subject, setSubject] = useState('alice@example.com');
  const [role, setRole] = useState<'requester' | 'admin'>('requester');
  // The OIDC callback's error arrives after this page first renders: show it when it does.
  const [problem, setProblem] = useState<string>();
  const shown = problem ?? error;
  const [busy, setBusy] = useState(false);
  const auth = config.auth;

  return (
    <section class="card narrow">
      <h1>Sign in</h1>
      {shown && (
        <p role="alert" class="error">
          {shown}
        </p>
      )}
      {auth.mode === 'oidc' ? (
        <button type="button" onClick={() => void startOidcSignIn(auth, location.pathname === '/signin/callback' ? '/' : location.pathname).catch((e: Error) => setProblem(e.message))}>
          Sign in with your organisation
        </button>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            setBusy(true);
            devSignIn(config, subject.trim(), role === 'admin')
              .then(onSignedIn)
              .catch((e: Error) => setProblem(e.message))
              .finally(() => setBusy(false));
          }}
        >
          <p class="hint">Local system: a development sign-in that mints a token from the local issuer for the user you name.</p>
          <label for="signin-subject">Email</label>
          <input id="signin-subject" type="email" required value={subject} onInput={(event) => setSubject(event.currentTarget.value)} />
          <fieldset>
            <legend>Sign in as</legend>
            <label class="inline">
              <input type="radio" name="role" value="requester" checked={role === 'requester'} onChange={() => setRole('requester')} /> Requester
            </label>
            <label class="inline">
              <input type="radio" name="role" value="admin" checked={role === 'admin'} onChange={() => setRole('admin')} /> Admin (approver)
            </label>
          </fieldset>
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
      )}
    </section>
  );
}
