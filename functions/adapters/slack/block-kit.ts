/**
 * The Block Kit subset our messages use, and the limits Slack enforces on it
 * (https://docs.slack.dev/reference/block-kit/blocks). Declared here rather than imported from
 * `@slack/types`, which is only a transitive dependency; these shapes are assignable to its types.
 */

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}

export type TextObject = PlainText | Mrkdwn;

export interface ConfirmDialog {
  title: PlainText;
  text: TextObject;
  confirm: PlainText;
  deny: PlainText;
  style?: 'primary' | 'danger';
}

export interface Button {
  type: 'button';
  action_id: string;
  text: PlainText;
  value?: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmDialog;
}

export interface HeaderBlock {
  type: 'header';
  text: PlainText;
  block_id?: string;
}

export interface SectionBlock {
  type: 'section';
  text?: TextObject;
  fields?: TextObject[];
  block_id?: string;
}

export interface ContextBlock {
  type: 'context';
  elements: TextObject[];
  block_id?: string;
}

export interface ActionsBlock {
  type: 'actions';
  elements: Button[];
  block_id?: string;
}

export interface DividerBlock {
  type: 'divider';
  block_id?: string;
}

export type Block = HeaderBlock | SectionBlock | ContextBlock | ActionsBlock | DividerBlock;

/** A message as posted, updated or sent to a response URL: blocks plus the notification text. */
export interface SlackMessage {
  /** Plain fallback for notifications, screen readers and clients that cannot render blocks. */
  text: string;
  blocks: Block[];
}

export const BLOCK_KIT_LIMITS = {
  blocksPerMessage: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** Slack truncates message text above 40,000 characters; we stay far below so notifications read well. */
  fallbackText: 3000,
} as const;

export function plainText(text: string, maxLength: number): PlainText {
  return { type: 'plain_text', text: truncate(text, maxLength), emoji: true };
}

/** Mrkdwn must arrive composed and escaped (see `mrkdwn.ts`); cutting it here could split a link. */
export function mrkdwn(text: string): Mrkdwn {
  return { type: 'mrkdwn', text };
}

export function truncate(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}
