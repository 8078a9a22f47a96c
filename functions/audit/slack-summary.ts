import { BLOCK_KIT_LIMITS, mrkdwn, plainText, truncate, type Block, type SlackMessage } from '../adapters/slack/block-kit.ts';
import { escapeText, link, person } from '../adapters/slack/mrkdwn.ts';
import type { Finding, Severity } from './model.ts';
import type { AuditReport } from './report.ts';

/** The most severe findings listed by name; the rest are counted (the report has them all). */
const LISTED_FINDINGS = 15;
const SEVERITY_LABEL: Record<Severity, string> = { critical: ':red_circle: critical', high: ':large_orange_circle: high', medium: ':large_yellow_circle: medium', low: ':white_circle: low', info: ':information_source: info' };

/**
 * The audit summary for the platform admins, posted only when the findings changed since the
 * previous audit: how many, what is new or resolved, and the worst ones with who owns them.
 */
export function auditSummaryMessage(report: AuditReport, changes: { added: number; resolved: number }, reportPath: string): SlackMessage {
  const summary = report.summary!;
  const counts = (Object.keys(SEVERITY_LABEL) as Severity[])
    .filter((severity) => summary.bySeverity[severity] > 0)
    .map((severity) => `${SEVERITY_LABEL[severity]}: *${summary.bySeverity[severity]}*`)
    .join('   ');
  const listed = report.findings.slice(0, LISTED_FINDINGS);
  const blocks: Block[] = [
    { type: 'header', text: plainText(`Connection audit: ${summary.total} finding${summary.total === 1 ? '' : 's'}`, BLOCK_KIT_LIMITS.headerText) },
    section(`${changes.added} new and ${changes.resolved} resolved since the last audit.${counts ? `\n${counts}` : ''}`),
    ...listed.map((finding) => section(findingLine(finding))),
  ];
  if (summary.total > listed.length) blocks.push(section(`…and ${summary.total - listed.length} more in the full report.`));
  blocks.push({ type: 'context', elements: [mrkdwn(`Audit ${escapeText(report.auditId)} as of ${escapeText(report.asOf)}. Full report: \`GET ${escapeText(reportPath)}\` (admins).`)] });
  return {
    text: truncate(`Connection audit: ${summary.total} findings (${changes.added} new, ${changes.resolved} resolved).`, BLOCK_KIT_LIMITS.fallbackText),
    blocks,
  };
}

function findingLine(finding: Finding): string {
  const subject = finding.link ? link(finding.link, shortName(finding.resource)) : escapeText(shortName(finding.resource), 200);
  const owner = finding.owner ? ` · owner ${person(finding.owner)}` : '';
  const text = `*${escapeText(finding.type)}* (${finding.severity}) ${subject}${owner}\n${escapeText(finding.message, 900)}\n_Fix:_ ${escapeText(finding.fix, 900)}`;
  return truncate(text, BLOCK_KIT_LIMITS.sectionText);
}

/** `arn:…:connection/1234` reads better as `connection/1234`. */
function shortName(resource: string): string {
  return resource.startsWith('arn:') ? resource.split(':').slice(5).join(':') : resource;
}

function section(text: string): Block {
  return { type: 'section', text: mrkdwn(text) };
}
