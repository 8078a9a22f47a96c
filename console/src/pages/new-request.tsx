import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { ApiProblem, type Api } from '../api.ts';
import { isCloudProvider } from '../../../functions/request/provider.ts';
import { checkForm, EMPTY_FORM, FIELDS, groupByField, type FieldErrors, type FieldName, type RequestFormValues } from '../request-form.ts';

type GitSyncChoiceKey = 'gitSyncPublishDeploymentStatus' | 'gitSyncPullRequestComment' | 'gitSyncTriggerResourceUpdateOn';
type TextKey = { [K in keyof RequestFormValues]: RequestFormValues[K] extends string ? K : never }[keyof RequestFormValues];

export function NewRequestPage({ api }: { api: Api }) {
  const location = useLocation();
  const [values, setValues] = useState<RequestFormValues>(EMPTY_FORM);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const cloud = isCloudProvider(values.providerType);
  // One key per request the person means to make: a retried submit (a lost answer) is the same request.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const set = <K extends keyof RequestFormValues>(key: K, value: RequestFormValues[K]) => {
    setValues((before) => ({ ...before, [key]: value }));
    setIdempotencyKey(crypto.randomUUID());
  };

  const text = (key: TextKey, field: FieldName, label: string, hint?: string, options: { multiline?: boolean; required?: boolean } = {}) => (
    <Field field={field} label={label} hint={hint} errors={errors[field]}>
      {(props) =>
        options.multiline ? (
          <textarea {...props} rows={4} value={values[key]} onInput={(event) => set(key, event.currentTarget.value)} />
        ) : (
          <input {...props} type="text" required={options.required} value={values[key]} onInput={(event) => set(key, event.currentTarget.value)} />
        )
      }
    </Field>
  );
  /** One of Git sync's optional settings: left at "Git sync's default", it is not sent. */
  const gitSyncChoice = <K extends GitSyncChoiceKey>(key: K, field: FieldName, label: string, choices: [RequestFormValues[K], string][]) => (
    <Field field={field} label={label} errors={errors[field]}>
      {(props) => (
        <select {...props} value={values[key]} onChange={(event) => set(key, event.currentTarget.value as RequestFormValues[K])}>
          <option value="">Git sync's default</option>
          {choices.map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      )}
    </Field>
  );

  async function submit(event: Event) {
    event.preventDefault();
    const checked = checkForm(values);
    if (!checked.ok) {
      setErrors(checked.errors);
      focusFirstError(checked.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const view = await api<{ requestId: string }>('POST', '/v1/connection-requests', checked.body, { 'idempotency-key': idempotencyKey });
      location.route(`/requests/${view.requestId}`);
    } catch (error) {
      const problem = error instanceof ApiProblem ? error : new ApiProblem(0, 'Not sent', (error as Error).message);
      const byField = problem.errors.length > 0 ? groupByField(problem.errors) : { form: [`${problem.title}${problem.detail ? `: ${problem.detail}` : ''}`] };
      setErrors(byField);
      focusFirstError(byField);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card">
      <h1>New connection request</h1>
      <p class="hint">Asks for a CodeStar connection to your GitHub Enterprise Server or GitLab self-managed instance. The broker creates what is missing, asks the people who must act, and attaches it to your pipeline or keeps your stack in step with the repository (Git sync).</p>
      <form noValidate onSubmit={(event) => void submit(event)}>
        {errors.form && (
          <div role="alert" class="error" id="form-errors" tabIndex={-1}>
            {errors.form.map((message) => (
              <p key={message}>{message}</p>
            ))}
          </div>
        )}
        <Field field="providerType" label="Provider" errors={errors.providerType}>
          {(props) => (
            <select {...props} value={values.providerType} onChange={(event) => set('providerType', event.currentTarget.value as RequestFormValues['providerType'])}>
              <optgroup label="Self-managed (a host at your server)">
                <option value="GitHubEnterpriseServer">GitHub Enterprise Server</option>
                <option value="GitLabSelfManaged">GitLab self-managed</option>
              </optgroup>
              <optgroup label="Cloud (no host)">
                <option value="GitHub">GitHub</option>
                <option value="GitLab">GitLab.com</option>
                <option value="Bitbucket">Bitbucket Cloud</option>
                <option value="AzureDevOps">Azure DevOps</option>
              </optgroup>
            </select>
          )}
        </Field>
        {!cloud && text('providerEndpoint', 'providerEndpoint', 'Server URL', 'The https:// address of your GHES or GitLab server, e.g. https://ghe.example.com', { required: true })}
        {text('connectionName', 'connectionName', 'Connection name (optional)', 'Leave empty for a readable name derived from the server and repository.')}
        {text('accountId', 'accountId', 'AWS account (optional)', "12 digits; leave empty for the broker's own account.")}
        {text('region', 'region', 'Region (optional)', "e.g. eu-west-1; leave empty for the broker's Region.")}
        <Field field="connectionStrategy" label="Connection strategy (spoke accounts)" errors={errors.connectionStrategy}>
          {(props) => (
            <select {...props} value={values.connectionStrategy} onChange={(event) => set('connectionStrategy', event.currentTarget.value as RequestFormValues['connectionStrategy'])}>
              <option value="">Default (auto)</option>
              <option value="auto">auto: share the hub's connection when offered</option>
              <option value="shared">shared: only the hub's shared connection</option>
              <option value="dedicated">dedicated: a host and connection of its own</option>
            </select>
          )}
        </Field>

        {!cloud && (
        <fieldset>
          <legend>
            <label class="inline">
              <input type="checkbox" checked={values.useVpc} onChange={(event) => set('useVpc', event.currentTarget.checked)} /> The server is reachable only inside a VPC
            </label>
          </legend>
          {values.useVpc && (
            <>
              {text('vpcId', 'vpcConfiguration.vpcId', 'VPC id', 'vpc-0123456789abcdef0')}
              {text('subnetIds', 'vpcConfiguration.subnetIds', 'Subnet ids', 'Separated by spaces or commas')}
              {text('securityGroupIds', 'vpcConfiguration.securityGroupIds', 'Security group ids', 'Separated by spaces or commas')}
              {text('tlsCertificate', 'vpcConfiguration.tlsCertificate', 'TLS certificate (optional)', 'The PEM of the CA that issued the server’s certificate', { multiline: true })}
            </>
          )}
        </fieldset>
        )}

        <fieldset>
          <legend>
            <label class="inline">
              <input type="checkbox" checked={values.usePipeline} onChange={(event) => set('usePipeline', event.currentTarget.checked)} /> Attach it to a CodePipeline source action
            </label>
          </legend>
          {values.usePipeline && (
            <>
              {text('pipelineName', 'pipeline.name', 'Pipeline name')}
              {text('sourceActionName', 'pipeline.sourceActionName', 'Source action name', 'The source action to point at the connection (created if missing)')}
              {text('fullRepositoryId', 'pipeline.fullRepositoryId', 'Repository', 'owner/repository (GitLab: group/subgroup/project)')}
              {text('branchName', 'pipeline.branchName', 'Branch')}
              <Field field="pipeline.outputArtifactFormat" label="Output artifact format" errors={errors['pipeline.outputArtifactFormat']}>
                {(props) => (
                  <select {...props} value={values.outputArtifactFormat} onChange={(event) => set('outputArtifactFormat', event.currentTarget.value as RequestFormValues['outputArtifactFormat'])}>
                    <option value="CODE_ZIP">CODE_ZIP</option>
                    <option value="CODEBUILD_CLONE_REF">CODEBUILD_CLONE_REF (full clone)</option>
                  </select>
                )}
              </Field>
              <label class="inline">
                <input
                  id="field-pipeline.detectChanges"
                  type="checkbox"
                  checked={values.detectChanges}
                  aria-invalid={errors['pipeline.detectChanges'] !== undefined}
                  onChange={(event) => set('detectChanges', event.currentTarget.checked)}
                />{' '}
                Start the pipeline on changes (DetectChanges)
              </label>
              {errors['pipeline.detectChanges'] && (
                <span class="field-error" data-field="pipeline.detectChanges">
                  {errors['pipeline.detectChanges'].join(' ')}
                </span>
              )}
              {/* With custom filters, their box shows the trigger's problems and takes the focus. */}
              <Field field="pipeline.trigger" id="field-pipeline.trigger-kind" label="Trigger" errors={values.trigger === 'filters' ? undefined : errors['pipeline.trigger']}>
                {(props) => (
                  <select {...props} value={values.trigger} onChange={(event) => set('trigger', event.currentTarget.value as RequestFormValues['trigger'])}>
                    <option value="none">No trigger filters</option>
                    <option value="branch">Pushes to the branch</option>
                    <option value="filters">Custom filters (JSON)</option>
                  </select>
                )}
              </Field>
              {values.trigger === 'filters' && text('triggerFilters', 'pipeline.trigger', 'Trigger filters (JSON)', '{ "push": [ { "branches": { "includes": ["main"] } } ] }', { multiline: true })}
            </>
          )}
        </fieldset>

        <fieldset>
          <legend>
            <label class="inline">
              <input
                id="field-gitSync"
                type="checkbox"
                checked={values.useGitSync}
                aria-invalid={errors.gitSync !== undefined}
                aria-describedby={errors.gitSync ? 'field-gitSync-error' : undefined}
                onChange={(event) => set('useGitSync', event.currentTarget.checked)}
              />{' '}
              Keep a CloudFormation stack in step with the repository (Git sync)
            </label>
          </legend>
          {errors.gitSync && (
            <span class="field-error" id="field-gitSync-error" data-field="gitSync">
              {errors.gitSync.join(' ')}
            </span>
          )}
          {values.useGitSync && (
            <>
              {text('gitSyncStackName', 'gitSync.stackName', 'Stack name', 'The CloudFormation stack Git sync creates and updates, e.g. payments-infra')}
              {text('gitSyncRepository', 'gitSync.repository', 'Deployment repository', 'owner/name of the repository holding the deployment file (GitLab: group/project)')}
              {text('gitSyncBranch', 'gitSync.branch', 'Git sync branch', 'The branch Git sync follows')}
              {text('gitSyncConfigFile', 'gitSync.configFile', 'Deployment file', 'Its path in the repository, e.g. deploy/payments.yaml')}
              {text('gitSyncRoleArn', 'gitSync.roleArn', 'Deployment role ARN', 'arn:aws:iam::<account>:role/<name>; the broker lets it use the connection and trusts Git sync with it')}
              {gitSyncChoice('gitSyncPublishDeploymentStatus', 'gitSync.publishDeploymentStatus', 'Publish deployment status', [
                ['ENABLED', 'ENABLED: post the deployment status to the repository'],
                ['DISABLED', 'DISABLED'],
              ])}
              {gitSyncChoice('gitSyncPullRequestComment', 'gitSync.pullRequestComment', 'Pull request comments', [
                ['ENABLED', 'ENABLED: comment on pull requests that change the deployment file'],
                ['DISABLED', 'DISABLED'],
              ])}
              {gitSyncChoice('gitSyncTriggerResourceUpdateOn', 'gitSync.triggerResourceUpdateOn', 'Update the stack on', [
                ['ANY_CHANGE', 'ANY_CHANGE: any change to the repository'],
                ['FILE_CHANGE', 'FILE_CHANGE: only a change to the deployment file'],
              ])}
            </>
          )}
        </fieldset>
        {text('tags', 'tags', 'Tags (optional)', 'One key=value per line', { multiline: true })}
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : 'Request the connection'}
        </button>
      </form>
    </section>
  );
}

/** Focuses the first field in error in the page's order (FIELDS lists them so), the form's own problems first. */
function focusFirstError(errors: FieldErrors) {
  const first = (['form', ...FIELDS] as const).find((field) => errors[field] !== undefined);
  if (first === undefined) return;
  queueMicrotask(() => (document.getElementById(first === 'form' ? 'form-errors' : `field-${first}`) ?? document.getElementById(`field-${first}-kind`))?.focus());
}

interface ControlProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}

function Field({
  field,
  id = `field-${field}`,
  label,
  hint,
  errors,
  children,
}: {
  field: FieldName;
  /** The control's id, when two controls share a field (the trigger's kind and its filters). */
  id?: string;
  label: string;
  hint?: string | undefined;
  errors: string[] | undefined;
  children: (props: ControlProps) => preact.ComponentChildren;
}) {
  const described = [hint ? `${id}-hint` : undefined, errors ? `${id}-error` : undefined].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${errors ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {hint && (
        <span class="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {children({ id, 'aria-invalid': errors !== undefined, 'aria-describedby': described })}
      {errors && (
        <span class="field-error" id={`${id}-error`} data-field={field}>
          {errors.join(' ')}
        </span>
      )}
    </div>
  );
}
