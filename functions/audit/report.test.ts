import { describe, expect, it } from 'vitest';
import type { Finding } from './model.ts';
import { compareFingerprints, fingerprint, summarise, type AuditReport } from './report.ts';
import { auditSummaryMessage } from './slack-summary.ts';
import { chunkFindings } from './store.ts';
import { checkMessageContent } from '../../infra/local/sandbox/services/slack/block-kit-rules.ts';

const finding = (index: number, overrides: Partial<Finding> = {}): Finding => ({
  type: 'CONNECTION_UNUSED',
  severity: 'low',
  resource: `arn:aws:codestar-connections:us-east-1:111111111111:connection/${index}`,
  resourceKind: 'connection',
  owner: 'alice@example.com',
  message: `No pipeline uses connection c${index} <script>&`,
  fix: 'Delete it.',
  link: `https://us-east-1.console.aws.amazon.com/codesuite/settings/111111111111/us-east-1/codestar-connections/connections/${index}?region=us-east-1`,
  ...overrides,
});

describe('report helpers', () => {
  it('counts by severity and type', () => {
    const summary = summarise([finding(1), finding(2, { type: 'HOST_ERROR', severity: 'critical' })]);
    expect(summary.total).toBe(2);
    expect(summary.bySeverity).toMatchObject({ critical: 1, low: 1, high: 0 });
    expect(summary.byType.CONNECTION_UNUSED).toBe(1);
    expect(summary.byType.QUOTA_HEADROOM_LOW).toBe(0);
  });

  it('fingerprints findings regardless of order and message, and tells what was added and resolved', () => {
    const before = fingerprint([finding(1), finding(2)]);
    expect(fingerprint([finding(2, { message: 'reworded' }), finding(1)])).toEqual(before);
    const after = fingerprint([finding(2), finding(3), finding(2, { severity: 'high' })]);
    const { added, resolved } = compareFingerprints(before, after);
    expect(added).toHaveLength(2);
    expect(resolved).toEqual([before[0]]);
    expect(compareFingerprints(undefined, []).added).toEqual([]);
  });

  it('splits many findings into chunks that each fit a DynamoDB item', () => {
    const many = Array.from({ length: 2000 }, (_, index) => finding(index, { message: 'x'.repeat(400) }));
    const chunks = chunkFindings(many);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat()).toEqual(many);
    for (const chunk of chunks) expect(JSON.stringify(chunk).length).toBeLessThan(350_000);
  });
});

describe('the Slack summary', () => {
  it('is valid Block Kit even for hundreds of findings, and escapes what it quotes', () => {
    const findings = Array.from({ length: 300 }, (_, index) => finding(index));
    const report: AuditReport = { auditId: 'a1', status: 'COMPLETED', trigger: 'schedule', asOf: '2026-03-10T12:00:00.000Z', startedAt: '2026-03-10T12:00:00.000Z', findings, summary: summarise(findings) };
    const message = auditSummaryMessage(report, { added: 3, resolved: 1 }, '/v1/audits/a1');
    expect(checkMessageContent(message.text, message.blocks)).toBeUndefined();
    expect(message.text).toContain('300 findings (3 new, 1 resolved)');
    const texts = JSON.stringify(message.blocks);
    expect(texts).toContain('&lt;script&gt;&amp;');
    expect(texts).toContain('285 more');
  });
});
