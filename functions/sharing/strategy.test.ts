import { describe, expect, it } from 'vitest';
import type { ShareableConnection } from './contract.ts';
import { chooseStrategy, shareableArnProblem } from './strategy.ts';

const offered: ShareableConnection = {
  connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/hub',
  providerEndpoint: 'https://ghe.example.com',
  organization: 'platform',
  registeredBy: 'root',
  registeredAt: '2026-12-01T00:00:00.000Z',
};

describe('chooseStrategy', () => {
  it('shares in a spoke when a connection is offered, whether asked for or by default (auto)', () => {
    expect(chooseStrategy({ requested: 'auto', spoke: true, offered, organization: 'platform' })).toEqual({ strategy: 'shared', connection: offered });
    expect(chooseStrategy({ requested: 'shared', spoke: true, offered, organization: 'platform' })).toEqual({ strategy: 'shared', connection: offered });
  });

  it('falls back to dedicated when nothing is offered (auto), and refuses an explicit shared', () => {
    expect(chooseStrategy({ requested: 'auto', spoke: true, offered: undefined, organization: 'platform' })).toEqual({ strategy: 'dedicated' });
    const refused = chooseStrategy({ requested: 'shared', spoke: true, offered: undefined, organization: 'platform' });
    expect(refused).toMatchObject({ refused: true, code: 'SharingNotPossible' });
    expect('message' in refused && refused.message).toContain('organization platform');
  });

  it('keeps dedicated when asked, even with an offer', () => {
    expect(chooseStrategy({ requested: 'dedicated', spoke: true, offered, organization: 'platform' })).toEqual({ strategy: 'dedicated' });
  });

  it("never shares in the broker's own account", () => {
    expect(chooseStrategy({ requested: 'auto', spoke: false, offered, organization: 'platform' })).toEqual({ strategy: 'dedicated' });
    expect(chooseStrategy({ requested: 'shared', spoke: false, offered, organization: 'platform' })).toMatchObject({ refused: true });
  });
});

describe('shareableArnProblem', () => {
  it('accepts a CodeConnections connection of the broker account', () => {
    expect(shareableArnProblem(offered.connectionArn, '111111111111')).toBeUndefined();
  });

  it('says why a CodeStar Connections ARN cannot be shared', () => {
    expect(shareableArnProblem('arn:aws:codestar-connections:us-east-1:111111111111:connection/abc', '111111111111')).toContain('cannot share CodeStar Connections ARNs');
  });

  it("refuses another account's connection and what is not a connection ARN", () => {
    expect(shareableArnProblem('arn:aws:codeconnections:us-east-1:999999999999:connection/abc', '111111111111')).toContain('account 999999999999');
    expect(shareableArnProblem('arn:aws:codeconnections:us-east-1:111111111111:host/abc', '111111111111')).toContain('Must be a connection ARN');
  });
});
