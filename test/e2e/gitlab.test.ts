import { GetPipelineCommand } from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient, GetConnectionCommand, GetHostCommand } from '@aws-sdk/client-codestar-connections';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, sandboxControl, type Problem } from './local-system.ts';
import {
  approve,
  harness,
  inStatus,
  nextKey,
  pipelineDeclaration,
  read,
  requestConnection,
  seedPipeline,
  seedRole,
  untilApproval,
  type RequestBody,
} from './pipeline-attach-helpers.ts';

/**
 * A GitLab self-managed request end to end, over HTTP through the local system: what the people in
 * it see (the request view, its timeline, the Slack notices) says GitLab, the host in the sandbox is
 * a GitLabSelfManaged host of its own (a GHES host at the same URL is not reused), the GitLab
 * admin's "Set up host" and the project owner's handshake are done through the sandbox's console
 * routes, and the pipeline's source action ends up on the connection with the project in a subgroup.
 */

/** What this test reads of the request view beyond the pipeline-attach helpers' view. */
type View = RequestBody & {
  providerType: string;
  providerEndpoint: string;
  nextAction: { stage: string; actor: string; message: string; actionUrl?: string } | null;
  waitingFor?: { what: string; who: string };
};

const GITLAB = 'https://gitlab.example.com';
const PROJECT = 'group/subgroup/project';
const SAYS_GITHUB = /GitHub|GHES/u;

const slackTexts = async (h: ReturnType<typeof harness>, channel: string, requestId: string): Promise<string[]> =>
  (await sandboxControl<{ messages: { text?: string; blocks?: unknown }[] }>(h.system, 'GET', `/slack/messages?channel=${channel}&kind=post`)).messages
    .map((message) => `${message.text ?? ''} ${JSON.stringify(message.blocks ?? [])}`)
    .filter((text) => text.includes(requestId));

describe('a GitLab self-managed request', () => {
  const h = harness();
  let connections: CodeStarConnectionsClient;
  beforeAll(() => {
    connections = new CodeStarConnectionsClient({ endpoint: h.system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });
  afterAll(() => connections?.destroy());

  it('gets a GitLab host of its own, says GitLab to everyone it asks, and attaches the subgroup project to the pipeline', async () => {
    // A GHES host someone made in the console for the same URL, already set up: a GitLab request must not take it.
    const { hostArn: ghesHost } = await sandboxControl<{ hostArn: string }>(h.system, 'POST', '/console/hosts', { name: 'ghes-at-gitlab-url', providerEndpoint: GITLAB });
    await sandboxControl(h.system, 'POST', '/hosts/complete-setup', { hostArn: ghesHost });
    const role = await seedRole(h, 'gitlab-app-pipeline');
    const seeded = await seedPipeline(h, pipelineDeclaration('gitlab-app', { role }));

    const created = (await requestConnection(h, { name: 'gitlab-app', fullRepositoryId: PROJECT, branchName: 'main' }, { providerEndpoint: GITLAB, providerType: 'GitLabSelfManaged' })) as View;
    expect(created).toMatchObject({ providerType: 'GitLabSelfManaged', providerEndpoint: GITLAB });
    expect(created.timeline.map((entry) => entry.message)).toEqual(
      expect.arrayContaining([
        `Requested a connection to ${GITLAB} (GitLab self-managed).`,
        'The GitLab version was not checked: GitLab self-managed shows its version only with an access token, which the broker does not hold.',
      ]),
    );

    // The GitLab admin is asked, in the view and in Slack, to set up a new GitLabSelfManaged host.
    const waitingForHost = (await eventually(read(h, created.requestId), (request) => request.status === 'WAITING_FOR_HOST_SETUP', 'the host set-up')) as View;
    expect(waitingForHost.hostArn).not.toBe(ghesHost);
    expect(await connections.send(new GetHostCommand({ HostArn: waitingForHost.hostArn }))).toMatchObject({
      ProviderType: 'GitLabSelfManaged',
      ProviderEndpoint: GITLAB,
      Status: 'PENDING',
    });
    expect(waitingForHost.nextAction).toMatchObject({
      stage: 'host-setup',
      actor: 'gitlab-admin',
      message: `A GitLab administrator must choose "Set up host" in the AWS console for the host of ${GITLAB}.`,
      actionUrl: expect.stringContaining('/hosts/'),
    });
    expect(waitingForHost.waitingFor?.who).toBe('GitLab administrators (Slack C0HOSTADMINS)');
    expect(waitingForHost.timeline.map((entry) => entry.message)).toContain(`Asked the GitLab administrators for host ${waitingForHost.hostArn}: ${waitingForHost.nextAction!.message}`);
    const [hostNotice, ...moreHostNotices] = await eventually(() => slackTexts(h, 'C0HOSTADMINS', created.requestId), (texts) => texts.length > 0, 'the host set-up notice');
    expect(moreHostNotices).toEqual([]);
    expect(hostNotice).toContain('Set up a GitLab self-managed host');
    expect(hostNotice).toContain(waitingForHost.nextAction!.message);
    expect(hostNotice).not.toMatch(SAYS_GITHUB);

    // The admin sets the host up in the console; then the project owner is asked for the handshake.
    const waitingForHandshake = (await untilApproval(h, created)) as View;
    expect(waitingForHandshake.nextAction).toMatchObject({
      stage: 'handshake-and-approval',
      actor: 'approver',
      message: `A GitLab project owner must choose "Update pending connection" in the AWS console for connection ${(await connectionName(waitingForHandshake.connectionArn!))}.`,
    });
    const [approvalNotice] = await eventually(() => slackTexts(h, 'C0APPROVALS', created.requestId), (texts) => texts.length > 0, 'the approval notice');
    expect(approvalNotice).toContain('Approve a GitLab self-managed connection');
    expect(approvalNotice).toContain(waitingForHandshake.nextAction!.message);
    expect(approvalNotice).not.toMatch(SAYS_GITHUB);

    await approve(h, waitingForHandshake);
    const done = (await inStatus(h, created.requestId, 'COMPLETED')) as View;
    expect(done.nextAction).toBeNull();
    const { Connection } = await connections.send(new GetConnectionCommand({ ConnectionArn: done.connectionArn }));
    expect(Connection).toMatchObject({ ProviderType: 'GitLabSelfManaged', HostArn: waitingForHost.hostArn, ConnectionStatus: 'AVAILABLE' });

    // The source action reads the project in its subgroup through the connection, and its first run fetched it.
    const { pipeline } = await h.pipelines.send(new GetPipelineCommand({ name: 'gitlab-app' }));
    expect(pipeline!.stages![0]!.actions![0]).toEqual({
      ...seeded.stages![0]!.actions![0]!,
      actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
      configuration: { ConnectionArn: done.connectionArn, FullRepositoryId: PROJECT, BranchName: 'main', OutputArtifactFormat: 'CODE_ZIP', DetectChanges: 'true' },
    });
    expect(done.pipelineAttachment).toMatchObject({ missingPermissions: [], firstRun: { status: 'SUCCEEDED' } });

    // Nothing the request told anyone said GitHub.
    expect(done.timeline.filter((entry) => SAYS_GITHUB.test(entry.message))).toEqual([]);
  });

  it('refuses a server URL for GitLab.com, a cloud provider (400 naming providerEndpoint), and a GHES repository id in subgroups (400 naming pipeline.fullRepositoryId)', async () => {
    const ask = (body: Record<string, unknown>) =>
      api<Problem>(h.system, 'POST', '/v1/connection-requests', { token: h.alice, body: { providerEndpoint: GITLAB, ...body }, idempotencyKey: nextKey() });
    const cloud = await ask({ providerType: 'GitLab' });
    expect([cloud.status, cloud.body.errors]).toEqual([400, [{ path: 'providerEndpoint', message: 'GitLab.com is a cloud provider: leave providerEndpoint out (the connection is to https://gitlab.com)' }]]);
    const nested = await ask({ pipeline: { name: 'gitlab-app', fullRepositoryId: PROJECT, branchName: 'main' } });
    expect([nested.status, nested.body.errors.map((error) => error.path)]).toEqual([400, ['pipeline.fullRepositoryId']]);
  });

  /** The name of a connection, as the sandbox has it. */
  async function connectionName(connectionArn: string): Promise<string> {
    return (await connections.send(new GetConnectionCommand({ ConnectionArn: connectionArn }))).Connection!.ConnectionName!;
  }
});
