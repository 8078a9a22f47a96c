import { CodeStarConnectionsClient, CreateConnectionCommand, CreateHostCommand, TagResourceCommand } from '@aws-sdk/client-codestar-connections';
import type * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { clientConfig, control, startTestSandbox } from '../helpers/sandbox.ts';

/** Bytes handed to the file system's write calls, whatever the store does with them. */
const written = vi.hoisted(() => ({ bytes: 0 }));

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof fs>();
  const count = (data: unknown) => {
    written.bytes += typeof data === 'string' ? Buffer.byteLength(data) : ArrayBuffer.isView(data) ? data.byteLength : 0;
  };
  const counted = {
    ...actual,
    writeFileSync: ((file, data, options) => {
      count(data);
      return actual.writeFileSync(file, data, options);
    }) as typeof actual.writeFileSync,
    appendFileSync: ((file, data, options) => {
      count(data);
      return actual.appendFileSync(file, data, options);
    }) as typeof actual.appendFileSync,
    writeSync: ((fd: number, data: string | NodeJS.ArrayBufferView, ...rest: never[]) => {
      count(data);
      return (actual.writeSync as (...args: unknown[]) => number)(fd, data, ...rest);
    }) as typeof actual.writeSync,
  };
  return { ...counted, default: counted };
});

describe('persistence cost', () => {
  let directory: string;
  let sandbox: Sandbox;
  let client: CodeStarConnectionsClient;
  let connections = 0;
  let hosts = 0;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'sandbox-cost-'));
    sandbox = await startTestSandbox({ statePath: join(directory, 'state.json'), config: { connectionQuota: 1000, hostQuota: 1000 } });
    client = new CodeStarConnectionsClient(clientConfig(sandbox));
  });

  afterAll(async () => {
    client.destroy();
    await sandbox.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** Creates connections and hosts until there are `count` of each, 25 calls at a time. */
  async function grow(count: number): Promise<void> {
    while (connections < count || hosts < count) {
      const batch: Promise<unknown>[] = [];
      for (let index = 0; index < 25 && connections < count; index++) {
        batch.push(client.send(new CreateConnectionCommand({ ConnectionName: `conn-${connections++}`, ProviderType: 'GitHub', Tags: [{ Key: 'team', Value: 'a' }] })));
      }
      for (let index = 0; index < 25 && hosts < count; index++) {
        batch.push(client.send(new CreateHostCommand({ Name: `host-${hosts++}`, ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://ghe.example.com' })));
      }
      await Promise.all(batch);
    }
  }

  /** Bytes written to persist one change, from a store with nothing left to write. */
  async function bytesFor(change: () => Promise<unknown>): Promise<number> {
    sandbox.store.flush();
    const before = written.bytes;
    await change();
    sandbox.store.flush();
    return written.bytes - before;
  }

  /** One more of each kind of change: a connection, a host, a tag, a console step. */
  async function oneMoreOfEach(): Promise<Record<string, number>> {
    let connectionArn = '';
    const createConnection = await bytesFor(async () => {
      ({ ConnectionArn: connectionArn } = (await client.send(new CreateConnectionCommand({ ConnectionName: `conn-${connections++}`, ProviderType: 'GitHub' }))) as {
        ConnectionArn: string;
      });
    });
    let hostArn = '';
    const createHost = await bytesFor(async () => {
      ({ HostArn: hostArn } = (await client.send(
        new CreateHostCommand({ Name: `host-${hosts++}`, ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://ghe.example.com' }),
      )) as { HostArn: string });
    });
    const tagResource = await bytesFor(() => client.send(new TagResourceCommand({ ResourceArn: connectionArn, Tags: [{ Key: 'owner', Value: 'me' }] })));
    const completeSetup = await bytesFor(() => control(sandbox, 'POST', '/hosts/complete-setup', { hostArn }));
    return { createConnection, createHost, tagResource, completeSetup };
  }

  it('does not grow with the number of resources held: one more connection or host costs the same at 50 as at 500', async () => {
    await grow(50);
    const at50 = await oneMoreOfEach();
    await grow(500);
    const at500 = await oneMoreOfEach();

    for (const [change, bytes] of Object.entries(at500)) {
      // The record that changed, its tags and the sequence counter: a few hundred bytes, whatever is held.
      expect(bytes, change).toBeGreaterThan(0);
      expect(bytes, change).toBeLessThan(1024);
      // Names one digit longer at most; nothing that scales with the 1,000 resources held.
      expect(Math.abs(bytes - at50[change]!), change).toBeLessThanOrEqual(16);
    }
  });
});
