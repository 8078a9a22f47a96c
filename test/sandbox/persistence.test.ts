import {
  CodeStarConnectionsClient,
  CreateConnectionCommand,
  CreateHostCommand,
  CreateRepositoryLinkCommand,
  CreateSyncConfigurationCommand,
  DeleteConnectionCommand,
  GetHostCommand,
  ListConnectionsCommand,
  ListHostsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSyncBlockerCommand,
} from '@aws-sdk/client-codestar-connections';
import { CodeBuildClient, DeleteProjectCommand } from '@aws-sdk/client-codebuild';
import { CodePipelineClient, GetPipelineCommand, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { CreateRoleCommand, DeleteRoleCommand, GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { SandboxStore } from '../../infra/local/sandbox/store.ts';
import { clientConfig, control, startTestSandbox, TRUST_POLICY } from '../helpers/sandbox.ts';
import { startReceiver } from '../helpers/fake-slack.ts';

/** Every slice name the sandbox's services keep. */
const SERVICES = ['codestar-connections', 'codestar-connections-global', 'codepipeline', 'iam', 'codebuild', 'slack'];
const VPC = { VpcId: 'vpc-0123abcd', SubnetIds: ['subnet-0123abcd', 'subnet-4567efab'], SecurityGroupIds: ['sg-0123abcd'] };
const USE_CONNECTION = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'codestar-connections:UseConnection', Resource: '*' }] });

let directory: string;
let statePath: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'sandbox-persistence-'));
  statePath = join(directory, 'state.json');
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** Everything a store holds, service by service, as JSON (what a restart must give back). */
function contents(store: SandboxStore): string {
  return JSON.stringify(SERVICES.map((service) => store.slicesOf(service)));
}

type Slice = { nextSeq: number; items: Record<string, { name: string; size: number }>; log: { seq: number }[] };

function itemsSlice(store: SandboxStore): Slice {
  return store.slice<Slice>('test', ['111111111111'], () => ({ nextSeq: 1, items: {}, log: [] }));
}

/** Adds an item and a log entry, saying which records changed. */
function addItem(store: SandboxStore, name: string): void {
  const slice = itemsSlice(store);
  const seq = slice.nextSeq++;
  slice.items[name] = { name, size: seq };
  slice.log.push({ seq });
  store.markChanged(slice, 'items', name);
  store.markChanged(slice, 'log', slice.log.length - 1);
  store.markChanged(slice, 'nextSeq');
}

describe('a restarted sandbox (a new store on the same file)', () => {
  it('has every resource the services made before, each change having been written as it was marked', async () => {
    const receiver = await startReceiver();
    const first = await startTestSandbox({ statePath });
    const codestar = new CodeStarConnectionsClient(clientConfig(first));
    const pipelines = new CodePipelineClient(clientConfig(first));
    const iam = new IAMClient(clientConfig(first));
    const codebuild = new CodeBuildClient(clientConfig(first));
    /** Each change is written as soon as the store flushes: nothing it made is left unmarked. */
    const step = async <T>(change: Promise<T>): Promise<T> => {
      const result = await change;
      first.store.flush();
      expect(first.store.unsavedRecords()).toEqual([]);
      return result;
    };
    try {
      // CodeStar Connections: hosts, connections, tags, the console's steps, Git sync.
      const { HostArn } = await step(codestar.send(
        new CreateHostCommand({ Name: 'ghes', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://ghe.example.com', Tags: [{ Key: 'team', Value: 'a' }] }),
      ));
      await step(control(first, 'POST', '/hosts/complete-setup', { hostArn: HostArn }));
      // A VPC host initializes as the sandbox clock passes: a read finds it PENDING, and that is written too.
      const { HostArn: vpcHost } = await step(
        codestar.send(new CreateHostCommand({ Name: 'vpc', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://ghe.example.com', VpcConfiguration: VPC })),
      );
      await control(first, 'POST', '/clock/advance', { seconds: 301 });
      expect((await step(codestar.send(new GetHostCommand({ HostArn: vpcHost })))).Status).toBe('PENDING');
      const { ConnectionArn: onHost } = await step(codestar.send(new CreateConnectionCommand({ ConnectionName: 'on-host', HostArn })));
      const { ConnectionArn: github } = await step(codestar.send(new CreateConnectionCommand({ ConnectionName: 'github', ProviderType: 'GitHub', Tags: [{ Key: 'k', Value: 'v' }] })));
      const { ConnectionArn: doomed } = await step(codestar.send(new CreateConnectionCommand({ ConnectionName: 'doomed', ProviderType: 'GitHub' })));
      await step(codestar.send(new DeleteConnectionCommand({ ConnectionArn: doomed })));
      await step(codestar.send(new TagResourceCommand({ ResourceArn: onHost, Tags: [{ Key: 'owner', Value: 'me' }] })));
      await step(codestar.send(new UntagResourceCommand({ ResourceArn: github, TagKeys: ['k'] })));
      await step(control(first, 'POST', '/connections/complete-handshake', { connectionArn: onHost }));
      const consoleHost = await step(control<{ hostArn: string }>(first, 'POST', '/console/hosts', { name: 'console', providerEndpoint: 'https://gl.example.com' }));
      await step(control(first, 'POST', '/hosts/break', { hostArn: consoleHost.hostArn }));
      await step(control(first, 'POST', '/console/connections', { name: 'console-github', providerType: 'GitHub' }));
      const { RepositoryLinkInfo } = await step(codestar.send(new CreateRepositoryLinkCommand({ ConnectionArn: github, OwnerId: 'platform', RepositoryName: 'infra' })));
      await step(codestar.send(
        new CreateSyncConfigurationCommand({
          Branch: 'main',
          ConfigFile: 'stacks/deployment.yaml',
          RepositoryLinkId: RepositoryLinkInfo!.RepositoryLinkId,
          ResourceName: 'stack',
          RoleArn: 'arn:aws:iam::111111111111:role/sync',
          SyncType: 'CFN_STACK_SYNC',
        }),
      ));
      await step(control(first, 'POST', '/sync/attempts', { resourceName: 'stack', status: 'SUCCEEDED', sha: 'abc123' }));
      const blocker = await step(control<{ Id: string }>(first, 'POST', '/sync/blockers', { resourceName: 'stack', reason: 'drift' }));
      await step(codestar.send(new UpdateSyncBlockerCommand({ Id: blocker.Id, SyncType: 'CFN_STACK_SYNC', ResourceName: 'stack', ResolvedReason: 'fixed' })));

      // IAM, CodeBuild, CodePipeline.
      await step(iam.send(new CreateRoleCommand({ RoleName: 'gone', AssumeRolePolicyDocument: TRUST_POLICY })));
      await step(iam.send(new CreateRoleCommand({ RoleName: 'pipeline-role', AssumeRolePolicyDocument: TRUST_POLICY })));
      await step(iam.send(new DeleteRoleCommand({ RoleName: 'gone' })));
      await step(iam.send(new PutRolePolicyCommand({ RoleName: 'pipeline-role', PolicyName: 'use', PolicyDocument: USE_CONNECTION })));
      await step(control(first, 'POST', '/roles', { roleName: 'seeded', inlinePolicies: { p: USE_CONNECTION } }));
      await step(control(first, 'DELETE', '/roles/seeded/policies/p'));
      await step(control(first, 'POST', '/codebuild/projects', { name: 'build', serviceRole: 'pipeline-role' }));
      await step(control(first, 'POST', '/codebuild/projects', { name: 'unused', serviceRole: 'pipeline-role' }));
      await step(codebuild.send(new DeleteProjectCommand({ name: 'unused' })));
      await step(control(first, 'POST', '/pipelines', { name: 'app', connectionArn: github, roleArn: 'arn:aws:iam::111111111111:role/pipeline-role' }));
      await step(pipelines.send(new StartPipelineExecutionCommand({ name: 'app', clientRequestToken: 'once' })));
      await step(control(first, 'POST', '/pipelines/app/external-edit'));

      // The fake Slack: a post with a button, an update, a DM, an ephemeral message, a click and its answer.
      await step(control(first, 'PUT', '/slack/config', { signingSecret: 'secret', interactivityUrl: receiver.url }));
      const button = [{ type: 'actions', elements: [{ type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' } }] }];
      const post = await step(slack(first, 'chat.postMessage', { channel: 'C0APPROVALS', text: 'approve?', blocks: JSON.stringify(button) }));
      await step(slack(first, 'chat.update', { channel: 'C0APPROVALS', ts: post.ts, text: 'approve, please?' }));
      await step(slack(first, 'chat.postMessage', { channel: 'U0SOMEONE', text: 'a DM' }));
      await step(slack(first, 'chat.postEphemeral', { channel: 'C0APPROVALS', user: 'U0SOMEONE', text: 'only you' }));
      await step(control(first, 'POST', '/slack/click', { channel: 'C0APPROVALS', ts: post.ts, actionId: 'approve', userId: 'U0APPROVER' }));
      const payload = JSON.parse(new URLSearchParams(receiver.received[0]!.rawBody).get('payload')!) as { response_url: string };
      const answered = await fetch(payload.response_url, { method: 'POST', body: JSON.stringify({ replace_original: true, text: 'approved' }) });
      expect(answered.status).toBe(200);
      await step(control(first, 'PUT', '/slack/latency', { ms: 0 }));

      const before = contents(first.store);
      await first.close();

      const second = await startTestSandbox({ statePath });
      try {
        expect(contents(second.store)).toBe(before);
        const again = new CodeStarConnectionsClient(clientConfig(second));
        const { Hosts } = await again.send(new ListHostsCommand({}));
        expect(Hosts?.map(({ Name, Status }) => [Name, Status])).toEqual([
          ['ghes', 'AVAILABLE'],
          ['vpc', 'PENDING'],
          ['console', 'ERROR'],
        ]);
        const { Connections } = await again.send(new ListConnectionsCommand({}));
        expect(Connections?.map(({ ConnectionName, ConnectionStatus }) => [ConnectionName, ConnectionStatus])).toEqual([
          ['on-host', 'AVAILABLE'],
          ['github', 'PENDING'],
          ['console-github', 'PENDING'],
        ]);
        expect((await again.send(new ListTagsForResourceCommand({ ResourceArn: onHost }))).Tags).toEqual([{ Key: 'owner', Value: 'me' }]);
        again.destroy();
        const iamAgain = new IAMClient(clientConfig(second));
        expect(decodeURIComponent((await iamAgain.send(new GetRolePolicyCommand({ RoleName: 'pipeline-role', PolicyName: 'use' }))).PolicyDocument!)).toBe(USE_CONNECTION);
        iamAgain.destroy();
        const pipelinesAgain = new CodePipelineClient(clientConfig(second));
        expect((await pipelinesAgain.send(new GetPipelineCommand({ name: 'app' }))).pipeline?.version).toBe(2);
        pipelinesAgain.destroy();
        // The clicked message reads as the response replaced it, and can be updated again.
        const updated = await slack(second, 'chat.update', { channel: 'C0APPROVALS', ts: post.ts, text: 'done' });
        expect(updated.message).toMatchObject({ text: 'done', blocks: [] });
      } finally {
        await second.close();
      }
    } finally {
      for (const client of [codestar, pipelines, iam, codebuild]) client.destroy();
      await first.close();
      await receiver.close();
    }
  });

  it('has everything after the journal was compacted, and after more changes on top of the compacted file', () => {
    /** A hundred versions of ten items, one deleted, the log's oldest entries dropped. */
    const writeHistory = (store: SandboxStore) => {
      for (let index = 0; index < 100; index++) {
        addItem(store, `item-${index % 10}`);
        store.flush();
      }
      const slice = itemsSlice(store);
      delete slice.items['item-3'];
      store.markChanged(slice, 'items', 'item-3');
      slice.log.splice(0, 5);
      store.markChanged(slice, 'log');
      store.flush();
    };
    const journalOnly = join(directory, 'journal-only.json');
    writeHistory(new SandboxStore(journalOnly, { compaction: { ratio: 2, minBytes: Infinity } }));
    const store = new SandboxStore(statePath, { compaction: { ratio: 2, minBytes: 0 } });
    writeHistory(store);
    // The journal of a hundred versions was rewritten as the live state (and has grown since by less than twice that).
    expect(statSync(statePath).size).toBeLessThan(statSync(journalOnly).size / 2);
    // Each version of an item names it twice (its key and its name).
    expect(readFileSync(journalOnly, 'utf8').match(/"item-0"/g)).toHaveLength(20);
    expect(readFileSync(statePath, 'utf8').match(/"item-0"/g)!.length).toBeLessThan(8);
    addItem(store, 'after');
    store.flush();

    const restarted = new SandboxStore(statePath);
    expect(restarted.slicesOf('test')).toEqual(store.slicesOf('test'));
    expect(Object.keys(itemsSlice(restarted).items)).toEqual(['item-0', 'item-1', 'item-2', 'item-4', 'item-5', 'item-6', 'item-7', 'item-8', 'item-9', 'after']);
    expect(itemsSlice(restarted).log.map(({ seq }) => seq)).toEqual([...Array.from({ length: 95 }, (_, index) => index + 6), 101]);
    expect(new SandboxStore(journalOnly).slicesOf('test')).toEqual(itemsSliceWithout(restarted, 'after'));
  });

  it('ignores a torn last line (a write the process did not finish), and appends after it cleanly', async () => {
    const first = await startTestSandbox({ statePath });
    const client = new CodeStarConnectionsClient(clientConfig(first));
    await client.send(new CreateConnectionCommand({ ConnectionName: 'kept', ProviderType: 'GitHub' }));
    client.destroy();
    await first.close();
    appendFileSync(statePath, '[{"o":"put","s":"codestar-connections-global|111111111111|aws","f":"connections","k":"arn:aws:');

    const second = await startTestSandbox({ statePath });
    const again = new CodeStarConnectionsClient(clientConfig(second));
    try {
      expect((await again.send(new ListConnectionsCommand({}))).Connections?.map(({ ConnectionName }) => ConnectionName)).toEqual(['kept']);
      await again.send(new CreateConnectionCommand({ ConnectionName: 'after-the-tear', ProviderType: 'GitHub' }));
    } finally {
      again.destroy();
      await second.close();
    }

    const third = new SandboxStore(statePath);
    const names = third.slicesOf<{ connections: Record<string, { name: string }> }>('codestar-connections-global').flatMap(({ data }) => Object.values(data.connections).map(({ name }) => name));
    expect(names).toEqual(['kept', 'after-the-tear']);
  });

  it('refuses a file damaged before its last line rather than starting with part of the state', () => {
    const store = new SandboxStore(statePath);
    addItem(store, 'a');
    store.flush();
    addItem(store, 'b');
    store.flush();
    const lines = readFileSync(statePath, 'utf8').split('\n');
    lines[1] = lines[1]!.slice(0, 20);
    writeFileSync(statePath, lines.join('\n'));
    expect(() => new SandboxStore(statePath)).toThrow(/damaged/);
  });

  it('reads a state file in the earlier whole-document format, and rewrites it as a journal on the next change', () => {
    const slices = { 'test|111111111111': { nextSeq: 3, items: { old: { name: 'old', size: 1 } }, log: [{ seq: 1 }, { seq: 2 }] } };
    writeFileSync(statePath, JSON.stringify({ version: 1, slices }));
    const store = new SandboxStore(statePath);
    expect(itemsSlice(store)).toEqual(slices['test|111111111111']);
    addItem(store, 'new');
    store.flush();
    expect(readFileSync(statePath, 'utf8')).toMatch(/^\{"format":"connection-broker-sandbox-journal","version":2\}\n/);
    expect(Object.keys(itemsSlice(new SandboxStore(statePath)).items)).toEqual(['old', 'new']);
  });
});

describe('the fake Slack', () => {
  it('keeps one copy of each message: its text and blocks are stored in its post event only', async () => {
    const sandbox = await startTestSandbox({ statePath });
    try {
      const text = `stored-once-${Date.now()}`;
      const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: `${text}-in-blocks` } }];
      const post = await slack(sandbox, 'chat.postMessage', { channel: 'C0APPROVALS', text, blocks: JSON.stringify(blocks) });
      sandbox.store.flush();
      const file = readFileSync(statePath, 'utf8');
      expect(file.split(`${text}-in-blocks`).length - 1).toBe(1);
      expect(file.split(`"${text}"`).length - 1).toBe(1);
      expect(JSON.stringify(sandbox.store.slicesOf('slack')).split(`${text}-in-blocks`).length - 1).toBe(1);

      // What the control API and the Web API answer is unchanged.
      const { messages } = await control<{ messages: Record<string, unknown>[] }>(sandbox, 'GET', '/slack/messages?kind=post');
      expect(messages).toEqual([
        { seq: 2, kind: 'post', at: expect.any(String), channel: 'C0APPROVALS', ts: post.ts, text, blocks: [{ ...blocks[0], block_id: expect.any(String) }] },
      ]);
      expect(post.message).toMatchObject({ text, blocks: [{ ...blocks[0], block_id: expect.any(String) }], ts: post.ts });
      // An update that gives only text keeps the blocks, read from where they are kept.
      const updated = await slack(sandbox, 'chat.update', { channel: 'C0APPROVALS', ts: post.ts, text: `${text}-updated` });
      expect(updated.message).toMatchObject({ text: `${text}-updated`, blocks: [{ ...blocks[0], block_id: expect.any(String) }] });
      sandbox.store.flush();
      expect(readFileSync(statePath, 'utf8').split(`"${text}-updated"`).length - 1).toBe(1);
    } finally {
      await sandbox.close();
    }
  });
});

/** The test slice as it was before `name` was added (the last item and log entry). */
function itemsSliceWithout(store: SandboxStore, name: string): unknown {
  const { nextSeq, items, log } = structuredClone(itemsSlice(store));
  delete items[name];
  return [{ scope: ['111111111111'], data: { nextSeq: nextSeq - 1, items, log: log.slice(0, -1) } }];
}

async function slack(sandbox: Sandbox, method: string, args: Record<string, string>): Promise<{ ok: boolean; ts: string; message: Record<string, unknown> }> {
  const response = await fetch(`${sandbox.url}/slack/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer xoxb-sandbox-bot-token' },
    body: new URLSearchParams(args).toString(),
  });
  const answer = (await response.json()) as { ok: boolean; ts: string; message: Record<string, unknown>; error?: string };
  if (!answer.ok) throw new Error(`${method}: ${answer.error}`);
  return answer;
}
