import { describe, expect, it } from 'vitest';
import { TERMINAL_STATUSES, REQUEST_STATUSES } from '../functions/request/model.ts';
import { formatDeadline, formatDuration, isTerminalStatus, listLines, statusLines, watchDisplay, watchExitCode, watchUpdate, type WatchedView } from './progress.ts';

const ID = '3f1c2a9e-1111-4222-8333-444455556666';
const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

const hostWait: WatchedView = {
  requestId: ID,
  status: 'WAITING_FOR_HOST_SETUP',
  currentStep: 'waiting for the host to be set up in the AWS console',
  connectionName: 'ghe-payments',
  hostArn: 'arn:aws:codestar-connections:us-east-1:111111111111:host/ghe-1a2b3c',
  providerEndpoint: 'https://ghe.example.com',
  providerType: 'GitHubEnterpriseServer',
  region: 'us-east-1',
  pipeline: { name: 'payments', fullRepositoryId: 'platform/payments', branchName: 'main', outputArtifactFormat: 'CODE_ZIP', detectChanges: true },
  nextAction: {
    stage: 'host-setup',
    actor: 'ghes-admin',
    message: 'A GitHub Enterprise Server administrator must choose "Set up host" in the AWS console for the host of https://ghe.example.com.',
    actionUrl: 'https://us-east-1.console.aws.amazon.com/codesuite/settings/hosts/x',
    deadline: '2026-03-08T10:01:00.000Z',
  },
  attention: [],
  timeline: [
    { at: at(0), step: 'preflight', actor: 'system', message: 'Pre-flight checks passed.' },
    { at: at(1), step: 'host', actor: 'system', message: 'Created host ghe-1a2b3c.' },
  ],
};

describe('status lines', () => {
  it('say the status, the step, who must act next, by when, where, and the timeline', () => {
    expect(statusLines(hostWait, new Date('2026-03-01T10:01:00.000Z'))).toEqual([
      `${ID}  WAITING_FOR_HOST_SETUP: waiting for the host to be set up in the AWS console`,
      '  connection: ghe-payments',
      '  host:       arn:aws:codestar-connections:us-east-1:111111111111:host/ghe-1a2b3c',
      '  endpoint:   https://ghe.example.com (GitHubEnterpriseServer)',
      '  region:     us-east-1',
      '  pipeline:   payments ← platform/payments@main',
      '  next:       A GitHub Enterprise Server administrator must choose "Set up host" in the AWS console for the host of https://ghe.example.com.',
      '  who:        ghes-admin',
      '  by:         2026-03-08 10:01:00 UTC (in 7d 0h)',
      '  link:       https://us-east-1.console.aws.amazon.com/codesuite/settings/hosts/x',
      '  timeline:',
      '    2026-03-01 10:00:00 UTC  preflight: Pre-flight checks passed.',
      '    2026-03-01 10:01:00 UTC  host: Created host ghe-1a2b3c.',
    ]);
  });

  it('show a failure, what is left to do, the account, and who acted when it was not the system', () => {
    const lines = statusLines({
      requestId: ID,
      status: 'REJECTED',
      currentStep: 'rejected and rolled back',
      region: 'eu-west-1',
      accountId: '222222222222',
      failure: { code: 'Rejected', message: 'Rejected by U0APPROVER' },
      nextAction: { stage: 'new-request', actor: 'requester', message: 'Ask again once the approvers agree.' },
      attention: [{ kind: 'first-run', actor: 'requester', message: 'The first run did not fetch the source.', actionUrl: 'https://console/x' }],
      timeline: [{ at: at(5), step: 'approval', actor: 'slack:U0APPROVER', message: 'Rejected.' }],
    });
    expect(lines).toEqual([
      `${ID}  REJECTED: rejected and rolled back`,
      '  region:     eu-west-1 (account 222222222222)',
      '  failure:    Rejected: Rejected by U0APPROVER',
      '  next:       Ask again once the approvers agree.',
      '  who:        requester',
      '  attention:  The first run did not fetch the source. (requester) https://console/x',
      '  timeline:',
      '    2026-03-01 10:05:00 UTC  approval: Rejected. (slack:U0APPROVER)',
    ]);
  });

  it('leave out an attention item that the next action already says', () => {
    const lines = statusLines({
      requestId: ID,
      status: 'COMPLETED',
      currentStep: 'done',
      nextAction: { stage: 'pipeline-permissions', actor: 'requester', message: 'The pipeline role lacks UseConnection: the requester must fix the pipeline (see missingPermissions).' },
      attention: [
        { kind: 'pipeline-permissions', actor: 'requester', message: 'The pipeline role lacks UseConnection: the requester must fix the pipeline.' },
        { kind: 'first-run', actor: 'requester', message: 'Run the pipeline once fixed.' },
      ],
      timeline: [],
    });
    expect(lines.filter((line) => line.startsWith('  attention:'))).toEqual(['  attention:  Run the pipeline once fixed. (requester)']);
  });
});

describe('watch progress', () => {
  it('shows each timeline entry once, as a finished step, and the current step with who must act and by when', () => {
    const first = watchUpdate(hostWait, 0);
    expect(first).toEqual({
      finished: ['preflight: Pre-flight checks passed.', 'host: Created host ghe-1a2b3c.'],
      seen: 2,
      current: [
        'WAITING_FOR_HOST_SETUP: waiting for the host to be set up in the AWS console',
        `  next:       ${hostWait.nextAction!.message}`,
        '  who:        ghes-admin',
        '  by:         2026-03-08 10:01:00 UTC',
        '  link:       https://us-east-1.console.aws.amazon.com/codesuite/settings/hosts/x',
      ].join('\n'),
    });
    // Nothing new: no line again, the same current text.
    expect(watchUpdate(hostWait, first.seen)).toEqual({ ...first, finished: [] });
    // With the time, the spinner says how long is left.
    expect(watchUpdate(hostWait, 2, new Date('2026-03-07T10:01:00.000Z')).current).toContain('  by:         2026-03-08 10:01:00 UTC (in 1d 0h)');
  });

  it('shows only the step while nobody has to act', () => {
    const working: WatchedView = { requestId: ID, status: 'CREATING_CONNECTION', currentStep: 'creating the connection', nextAction: null, timeline: hostWait.timeline };
    expect(watchUpdate(working, 2)).toEqual({ finished: [], seen: 2, current: 'CREATING_CONNECTION: creating the connection' });
  });

  it('ends COMPLETED with exit 0, printing the entries that came with the end and what is left to do', () => {
    const done: WatchedView = {
      requestId: ID,
      status: 'COMPLETED',
      currentStep: 'done',
      nextAction: { stage: 'pipeline-permissions', actor: 'requester', message: 'Grant the pipeline role UseConnection.' },
      attention: [],
      timeline: [...hostWait.timeline, { at: at(9), step: 'done', actor: 'system', message: 'Completed.' }],
    };
    expect(watchUpdate(done, 2)).toEqual({
      finished: ['done: Completed.'],
      seen: 3,
      end: { symbol: '✔', text: 'COMPLETED', exitCode: 0, notes: ['  next:       Grant the pipeline role UseConnection.', '  who:        requester'] },
    });
  });

  it('ends any other final way with ✖, the reason and exit 3', () => {
    const failed: WatchedView = { requestId: ID, status: 'TIMED_OUT', currentStep: 'timed out and rolled back', failure: { code: 'TimedOut', message: 'Nobody set up the host in 7 days.' }, timeline: [] };
    expect(watchUpdate(failed, 0).end).toEqual({ symbol: '✖', text: 'TIMED_OUT: TimedOut: Nobody set up the host in 7 days.', exitCode: 3, notes: [] });
  });

  it('copes with a timeline shorter than what was seen', () => {
    expect(watchUpdate({ ...hostWait, timeline: [] }, 5)).toMatchObject({ finished: [], seen: 0 });
  });
});

describe('exit codes and final statuses', () => {
  it('are model.ts’s: 0 for COMPLETED and DECOMMISSIONED, 3 for every other final status, none while it goes on', () => {
    for (const status of REQUEST_STATUSES) {
      const expected = !(TERMINAL_STATUSES as readonly string[]).includes(status) ? undefined : status === 'COMPLETED' || status === 'DECOMMISSIONED' ? 0 : 3;
      expect(watchExitCode(status), status).toBe(expected);
    }
    expect(['FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELLED'].map(watchExitCode)).toEqual([3, 3, 3, 3]);
    expect(isTerminalStatus('SOMETHING_NEW')).toBe(false);
    expect(isTerminalStatus('toString')).toBe(false);
  });
});

describe('times', () => {
  it('durations read at a glance', () => {
    expect([0, 59_000, 60_000, 3_660_000, 90_000_000, -7_200_000].map(formatDuration)).toEqual(['under a minute', 'under a minute', '1m', '1h 1m', '1d 1h', '2h 0m']);
  });

  it('deadlines: the UTC time, how far off when the time is given, and past ones as ago', () => {
    expect(formatDeadline('2026-03-08T10:01:00.000Z')).toBe('2026-03-08 10:01:00 UTC');
    expect(formatDeadline('2026-03-08T10:01:00.000Z', new Date('2026-03-08T12:01:00.000Z'))).toBe('2026-03-08 10:01:00 UTC (2h 0m ago)');
    expect(formatDeadline('not a date', new Date())).toBe('not a date');
  });
});

describe('how --watch shows progress', () => {
  const terminal = { isTTY: true, columns: 120 };
  it('a spinner only on a terminal that can draw one', () => {
    expect(watchDisplay(terminal, { TERM: 'xterm-256color' }, false)).toBe('spinner');
    expect(watchDisplay({ isTTY: false }, {}, false)).toBe('plain');
    expect(watchDisplay({}, {}, false)).toBe('plain');
    // A pseudo-terminal without a size (the spinner would divide by 0 columns), a dumb one, CI.
    expect(watchDisplay({ isTTY: true, columns: 0 }, {}, false)).toBe('plain');
    expect(watchDisplay(terminal, { TERM: 'dumb' }, false)).toBe('plain');
    expect(watchDisplay(terminal, { CI: 'true' }, false)).toBe('plain');
  });

  it('nothing with --json: its one document comes at the end', () => {
    expect(watchDisplay(terminal, {}, true)).toBe('none');
  });
});

describe('list lines', () => {
  it('align the columns, whatever the lengths', () => {
    expect(
      listLines([
        { requestId: 'id-1', status: 'COMPLETED', currentStep: 'done', connectionName: 'a-long-connection-name', providerEndpoint: 'https://ghe.example.com', createdAt: at(1), timeline: [] },
        { requestId: 'id-2', status: 'WAITING_FOR_APPROVAL', currentStep: '', connectionName: 'short', providerEndpoint: 'https://g.example.com', createdAt: at(2), timeline: [] },
      ]),
    ).toEqual([
      'id-1  COMPLETED             a-long-connection-name  https://ghe.example.com  2026-03-01 10:01:00 UTC',
      'id-2  WAITING_FOR_APPROVAL  short                   https://g.example.com    2026-03-01 10:02:00 UTC',
    ]);
  });
});
