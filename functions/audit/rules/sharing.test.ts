import { describe, expect, it } from 'vitest';
import type { ConnectionRequestRecord } from '../../request/model.ts';
import type { FindingType, ResourceShareFacts, SharingInventory } from '../model.ts';
import { ACCOUNT, connection, connectionArn, context, host, hostArn, record } from '../test-fixtures.ts';
import { evaluateSharing } from './sharing.ts';

const SPOKE = '222222222222';
const SHARE = `arn:aws:ram:us-east-1:${ACCOUNT}:resource-share/s1`;
const HUB = connectionArn('hub', 'codeconnections');

const share = (overrides: Partial<ResourceShareFacts> = {}): ResourceShareFacts => ({
  shareArn: SHARE,
  name: 'broker-ghe',
  status: 'ACTIVE',
  connectionArns: [HUB],
  principals: [{ accountId: SPOKE, status: 'ASSOCIATED' }],
  ...overrides,
});

const shared = (id: string, overrides: Partial<ConnectionRequestRecord> = {}) =>
  record(id, { accountId: SPOKE, connectionStrategy: 'shared', connectionArn: HUB, share: { connectionArn: HUB, shareArn: SHARE, associatedByRequest: true }, ...overrides });

const sharing = (overrides: Partial<SharingInventory> = {}): SharingInventory => ({ brokerAccountId: ACCOUNT, shares: [], offered: [], hosts: [], connections: [], requests: [], ...overrides });

const findings = (input: SharingInventory, type: FindingType) => evaluateSharing(input, context).filter((finding) => finding.type === type);

describe('SHARE_NOT_REQUESTED', () => {
  it('reports ASSOCIATED and ASSOCIATING accounts no request uses, naming account, share and connection', () => {
    const principals = [
      { accountId: SPOKE, status: 'ASSOCIATED' },
      { accountId: '333333333333', status: 'ASSOCIATING' },
      { accountId: '444444444444', status: 'DISASSOCIATED' },
    ];
    const found = findings(sharing({ shares: [share({ principals })] }), 'SHARE_NOT_REQUESTED');
    expect(found.map((finding) => finding.accountId)).toEqual([SPOKE, '333333333333']);
    expect(found[0]).toMatchObject({ severity: 'medium', resource: SHARE, resourceKind: 'share', link: 'https://console.aws.amazon.com/ram/home?region=us-east-1#OwnedResourceShares:' });
    expect(found[0]!.message).toContain(SPOKE);
    expect(found[0]!.message).toContain(SHARE);
    expect(found[0]!.message).toContain(HUB);
    expect(found[0]!.fix).toContain(`aws ram disassociate-resource-share --resource-share-arn ${SHARE} --principals ${SPOKE}`);
  });

  it('is quiet while a completed or running request of that account uses the share', () => {
    expect(findings(sharing({ shares: [share()], requests: [shared('r1')] }), 'SHARE_NOT_REQUESTED')).toEqual([]);
    expect(findings(sharing({ shares: [share()], requests: [shared('r1', { status: 'ATTACHING_PIPELINE' })] }), 'SHARE_NOT_REQUESTED')).toEqual([]);
    // A record written before the share was found names only the connection (here under the old prefix).
    const byConnection = shared('r1', { share: { connectionArn: connectionArn('hub') } });
    expect(findings(sharing({ shares: [share()], requests: [byConnection] }), 'SHARE_NOT_REQUESTED')).toEqual([]);
  });

  it('does not count ended requests, requests of another account, or requests naming another share', () => {
    const requests = [
      ...(['FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELLED'] as const).map((status, index) => shared(`ended${index}`, { status })),
      shared('other-account', { accountId: '333333333333' }),
      shared('other-share', { share: { connectionArn: HUB, shareArn: `${SHARE}-2` } }),
    ];
    expect(findings(sharing({ shares: [share()], requests }), 'SHARE_NOT_REQUESTED').map((finding) => finding.accountId)).toEqual([SPOKE]);
  });

  it('ignores shares that are deleted or being deleted', () => {
    expect(findings(sharing({ shares: [share({ status: 'DELETED' }), share({ shareArn: `${SHARE}-2`, status: 'DELETING' })] }), 'SHARE_NOT_REQUESTED')).toEqual([]);
  });
});

describe('SHARE_ASSOCIATION_GONE', () => {
  it('is quiet while the account is ASSOCIATED, found by share ARN or by connection', () => {
    expect(findings(sharing({ shares: [share()], requests: [shared('r1')] }), 'SHARE_ASSOCIATION_GONE')).toEqual([]);
    const byConnection = shared('r1', { share: { connectionArn: HUB } });
    expect(findings(sharing({ shares: [share({ shareArn: `${SHARE}-2` })], requests: [byConnection] }), 'SHARE_ASSOCIATION_GONE')).toEqual([]);
  });

  it('reports a completed shared request whose account was disassociated, with its owner', () => {
    const input = sharing({ shares: [share({ principals: [{ accountId: SPOKE, status: 'DISASSOCIATED' }] })], requests: [shared('r1')] });
    const [finding, ...others] = findings(input, 'SHARE_ASSOCIATION_GONE');
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ severity: 'high', resource: 'r1', resourceKind: 'request', requestId: 'r1', owner: 'r1-owner@example.com', accountId: SPOKE });
    expect(finding!.message).toContain('DISASSOCIATED');
    expect(finding!.fix).toContain('new shared request');
    expect(finding!.fix).toContain(`associate-resource-share --resource-share-arn ${SHARE} --principals ${SPOKE}`);
  });

  it('reports a request whose share was deleted or no longer exists', () => {
    const deleted = findings(sharing({ shares: [share({ status: 'DELETED' })], requests: [shared('r1')] }), 'SHARE_ASSOCIATION_GONE');
    expect(deleted[0]!.message).toContain('is DELETED');
    expect(deleted[0]!.fix).not.toContain('associate-resource-share');
    expect(findings(sharing({ requests: [shared('r1')] }), 'SHARE_ASSOCIATION_GONE')[0]!.message).toContain(`no resource share ${SHARE} exists`);
  });

  it('counts an ASSOCIATING account as gone only for completed requests; running and ended ones are not reported', () => {
    const associating = share({ principals: [{ accountId: SPOKE, status: 'ASSOCIATING' }] });
    expect(findings(sharing({ shares: [associating], requests: [shared('r1')] }), 'SHARE_ASSOCIATION_GONE')).toHaveLength(1);
    const requests = [shared('r2', { status: 'VERIFYING_CONNECTION' }), shared('r3', { status: 'CANCELLED' }), record('r4')];
    expect(findings(sharing({ requests }), 'SHARE_ASSOCIATION_GONE')).toEqual([]);
  });
});

describe('CONNECTION_BLOCKS_SHARING', () => {
  const hub = connection('old', { hostArn: hostArn('ghe') });
  // AWS keeps the endpoint as it was typed; requests hold the canonical URL.
  const hubHost = host('ghe', { providerEndpoint: 'https://GHE.example.com/' });
  const dedicated = (id: string, accountId: string, overrides: Partial<ConnectionRequestRecord> = {}) => record(id, { accountId, connectionStrategy: 'dedicated', ...overrides });
  const spokes = [
    dedicated('r1', '222222222222'),
    dedicated('r2', '333333333333', { connectionStrategy: undefined }),
    dedicated('r3', '444444444444', { status: 'WAITING_FOR_APPROVAL' }),
    dedicated('r4', '555555555555'),
    dedicated('r5', '555555555555'),
  ];

  it('reports a codestar-connections hub connection while spokes make their own connections for its endpoint', () => {
    const [finding, ...others] = findings(sharing({ hosts: [hubHost], connections: [hub], requests: spokes }), 'CONNECTION_BLOCKS_SHARING');
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ severity: 'low', resource: hub.arn, resourceKind: 'connection', accountId: ACCOUNT });
    expect(finding!.message).toContain('AWS RAM cannot share');
    expect(finding!.message).toContain('5 requests from 4 accounts (222222222222, 333333333333, 444444444444 and 1 more)');
    expect(finding!.fix).toContain('POST /v1/shared-connections');
    expect(finding!.link).toContain('/connections/');
  });

  it('is quiet once a connection is offered for the endpoint', () => {
    const offered = [{ connectionArn: HUB, providerEndpoint: 'https://ghe.example.com', organization: 'acme' }];
    expect(findings(sharing({ hosts: [hubHost], connections: [hub], requests: spokes, offered }), 'CONNECTION_BLOCKS_SHARING')).toEqual([]);
  });

  it('ignores codeconnections ARNs and connections that are not AVAILABLE', () => {
    const connections = [connection('new', { arn: connectionArn('new', 'codeconnections'), hostArn: hostArn('ghe') }), connection('pending', { status: 'PENDING', hostArn: hostArn('ghe') })];
    expect(findings(sharing({ hosts: [hubHost], connections, requests: spokes }), 'CONNECTION_BLOCKS_SHARING')).toEqual([]);
  });

  it("ignores the broker's own account, shared requests, ended requests and other endpoints", () => {
    const requests = [
      record('own'),
      dedicated('own-explicit', ACCOUNT),
      shared('shared', { providerEndpoint: 'https://ghe.example.com' }),
      dedicated('failed', SPOKE, { status: 'FAILED' }),
      dedicated('elsewhere', SPOKE, { providerEndpoint: 'https://other.example.com' }),
    ];
    expect(findings(sharing({ hosts: [hubHost], connections: [hub], requests }), 'CONNECTION_BLOCKS_SHARING')).toEqual([]);
  });
});

describe('evaluateSharing', () => {
  it('orders findings by type, then resource, then account', () => {
    const input = sharing({
      shares: [share({ principals: [{ accountId: '333333333333', status: 'ASSOCIATED' }, { accountId: SPOKE, status: 'ASSOCIATED' }] })],
      requests: [shared('r2', { accountId: '666666666666' }), shared('r1', { accountId: '777777777777' })],
    });
    const keys = evaluateSharing(input, context).map((finding) => `${finding.type} ${finding.resource} ${finding.accountId}`);
    expect(keys).toEqual([`SHARE_ASSOCIATION_GONE r1 777777777777`, `SHARE_ASSOCIATION_GONE r2 666666666666`, `SHARE_NOT_REQUESTED ${SHARE} 222222222222`, `SHARE_NOT_REQUESTED ${SHARE} 333333333333`]);
  });
});
