import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrokerTable, TEST_TABLE } from '../../test/helpers/broker-table.ts';
import { ShareableConnectionStore, ShareUsersStore } from './store.ts';

/** The sharing records in the broker's real table layout (infra/resources/table.yml) on an in-memory DynamoDB. */

let table: Awaited<ReturnType<typeof startBrokerTable>>;
let users: ShareUsersStore;
let offered: ShareableConnectionStore;

beforeAll(async () => {
  table = await startBrokerTable();
  users = new ShareUsersStore(table.documents, TEST_TABLE);
  offered = new ShareableConnectionStore(table.documents, TEST_TABLE);
});
afterAll(async () => {
  table.client.destroy();
  await table.dynamo.close();
});

const SHARE = 'arn:aws:ram:us-east-1:111111111111:resource-share/s1';

describe("who uses an account's association with a share", () => {
  it('keeps the association while another request uses it, whichever request made it', async () => {
    await users.join(SHARE, '222222222222', 'first', { associatingNow: true });
    await users.join(SHARE, '222222222222', 'second');
    // Joining again (a retried step) changes nothing.
    await users.join(SHARE, '222222222222', 'second');
    expect(await users.leave(SHARE, '222222222222', 'first')).toEqual({ stillUsedBy: ['second'], associatedByBroker: true });
    expect(await users.leave(SHARE, '222222222222', 'second')).toEqual({ stillUsedBy: [], associatedByBroker: true });
  });

  it('tells an association the broker did not make, and forgets one it removed', async () => {
    await users.join(SHARE, '333333333333', 'by-hand-before-us');
    expect(await users.leave(SHARE, '333333333333', 'by-hand-before-us')).toEqual({ stillUsedBy: [], associatedByBroker: false });
    await users.join(SHARE, '444444444444', 'only', { associatingNow: true });
    await users.forgetAssociation(SHARE, '444444444444');
    expect(await users.leave(SHARE, '444444444444', 'only')).toEqual({ stillUsedBy: [], associatedByBroker: false });
  });

  it('keeps accounts apart', async () => {
    await users.join(SHARE, '555555555555', 'a', { associatingNow: true });
    await users.join(SHARE, '666666666666', 'b', { associatingNow: true });
    expect((await users.leave(SHARE, '555555555555', 'a')).stillUsedBy).toEqual([]);
    expect((await users.leave(SHARE, '666666666666', 'nobody')).stillUsedBy).toEqual(['b']);
  });
});

describe('connections offered for sharing', () => {
  it('finds an offer by endpoint and organization, whatever the case of the organization, and lists them', async () => {
    const offer = { connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/c1', providerEndpoint: 'https://ghe.example.com', organization: 'Platform', registeredBy: 'root', registeredAt: '2026-12-01T00:00:00.000Z' };
    await offered.put(offer);
    expect(await offered.find('https://ghe.example.com', 'platform')).toEqual(offer);
    expect(await offered.find('https://ghe.example.com', 'other')).toBeUndefined();
    expect(await offered.list()).toEqual([offer]);
  });
});
