/**
 * The Block Kit rules Slack enforces on a message, written from Slack's reference
 * (https://docs.slack.dev/reference/block-kit) independently of the product's builders, so that
 * our messages are checked by something that did not write them. Covers the block and element
 * types a bot message commonly uses; any other type is refused rather than waved through.
 */

export interface BlockKitViolation {
  error: 'invalid_blocks' | 'invalid_blocks_format' | 'msg_too_long' | 'no_text';
  /** Slack's style: `[ERROR] <what> [json-pointer:/blocks/0/text/text]`. */
  detail: string;
}

/** Slack truncates longer texts in the UI and refuses them in the API. */
const MAX_MESSAGE_TEXT = 40_000;
const MAX_BLOCKS = 50;
const MAX_ID = 255;

type Json = Record<string, unknown>;

class Violation extends Error {
  constructor(
    readonly error: BlockKitViolation['error'],
    readonly pointer: string,
    message: string,
  ) {
    super(message);
  }
}

/** Checks a message's `text` and `blocks` (already parsed from JSON). `undefined` means Slack would accept it. */
export function checkMessageContent(text: unknown, blocks: unknown): BlockKitViolation | undefined {
  try {
    const hasText = typeof text === 'string' && text.trim() !== '';
    const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
    if (!hasText && !hasBlocks) throw new Violation('no_text', '/text', 'no text or blocks given');
    if (typeof text === 'string' && text.length > MAX_MESSAGE_TEXT) {
      throw new Violation('msg_too_long', '/text', `must be at most ${MAX_MESSAGE_TEXT} characters`);
    }
    if (blocks !== undefined) checkBlocks(blocks);
    return undefined;
  } catch (error) {
    if (!(error instanceof Violation)) throw error;
    return { error: error.error, detail: `[ERROR] ${error.message} [json-pointer:${error.pointer}]` };
  }
}

function checkBlocks(blocks: unknown): void {
  if (!Array.isArray(blocks)) throw new Violation('invalid_blocks_format', '/blocks', 'must be an array');
  if (blocks.length > MAX_BLOCKS) throw new Violation('invalid_blocks', '/blocks', `no more than ${MAX_BLOCKS} items allowed`);
  const blockIds = new Set<string>();
  blocks.forEach((block, index) => {
    const pointer = `/blocks/${index}`;
    const value = object(block, pointer);
    if (value.block_id !== undefined) {
      const blockId = id(value.block_id, `${pointer}/block_id`);
      if (blockIds.has(blockId)) throw new Violation('invalid_blocks', `${pointer}/block_id`, 'duplicate block_id');
      blockIds.add(blockId);
    }
    checkBlock(value, pointer);
  });
}

function checkBlock(block: Json, pointer: string): void {
  switch (block.type) {
    case 'header':
      return textObject(block.text, `${pointer}/text`, 150, { plainOnly: true });
    case 'divider':
      return;
    case 'section': {
      if (block.text === undefined && block.fields === undefined) {
        throw new Violation('invalid_blocks', pointer, 'must provide either text or fields');
      }
      if (block.text !== undefined) textObject(block.text, `${pointer}/text`, 3000);
      if (block.fields !== undefined) {
        const fields = list(block.fields, `${pointer}/fields`, 1, 10);
        fields.forEach((field, index) => textObject(field, `${pointer}/fields/${index}`, 2000));
      }
      if (block.accessory !== undefined) element(block.accessory, `${pointer}/accessory`, new Set());
      return;
    }
    case 'context': {
      const elements = list(block.elements, `${pointer}/elements`, 1, 10);
      elements.forEach((item, index) => {
        const itemPointer = `${pointer}/elements/${index}`;
        if (object(item, itemPointer).type === 'image') return image(item as Json, itemPointer);
        textObject(item, itemPointer, 3000);
      });
      return;
    }
    case 'actions': {
      const actionIds = new Set<string>();
      list(block.elements, `${pointer}/elements`, 1, 25).forEach((item, index) => element(item, `${pointer}/elements/${index}`, actionIds));
      return;
    }
    case 'markdown':
      return string(block.text, `${pointer}/text`, 1, 12_000);
    case 'image':
      return image(block, pointer);
    default:
      throw new Violation('invalid_blocks', `${pointer}/type`, `unsupported block type ${JSON.stringify(block.type)}`);
  }
}

function element(value: unknown, pointer: string, actionIds: Set<string>): void {
  const item = object(value, pointer);
  if (item.type !== 'button') {
    throw new Violation('invalid_blocks', `${pointer}/type`, `unsupported element type ${JSON.stringify(item.type)}`);
  }
  textObject(item.text, `${pointer}/text`, 75, { plainOnly: true });
  if (item.action_id !== undefined) {
    const actionId = id(item.action_id, `${pointer}/action_id`);
    if (actionIds.has(actionId)) throw new Violation('invalid_blocks', `${pointer}/action_id`, 'duplicate action_id');
    actionIds.add(actionId);
  }
  if (item.value !== undefined) string(item.value, `${pointer}/value`, 0, 2000);
  if (item.url !== undefined) string(item.url, `${pointer}/url`, 1, 3000);
  if (item.style !== undefined && item.style !== 'primary' && item.style !== 'danger') {
    throw new Violation('invalid_blocks', `${pointer}/style`, 'must be primary or danger');
  }
  if (item.confirm !== undefined) confirmDialog(item.confirm, `${pointer}/confirm`);
}

function confirmDialog(value: unknown, pointer: string): void {
  const dialog = object(value, pointer);
  textObject(dialog.title, `${pointer}/title`, 100, { plainOnly: true });
  textObject(dialog.text, `${pointer}/text`, 300);
  textObject(dialog.confirm, `${pointer}/confirm`, 30, { plainOnly: true });
  textObject(dialog.deny, `${pointer}/deny`, 30, { plainOnly: true });
  if (dialog.style !== undefined && dialog.style !== 'primary' && dialog.style !== 'danger') {
    throw new Violation('invalid_blocks', `${pointer}/style`, 'must be primary or danger');
  }
}

function image(item: Json, pointer: string): void {
  string(item.image_url, `${pointer}/image_url`, 1, 3000);
  string(item.alt_text, `${pointer}/alt_text`, 1, 2000);
}

function textObject(value: unknown, pointer: string, maxLength: number, { plainOnly = false } = {}): void {
  const text = object(value, pointer);
  if (text.type !== 'plain_text' && (plainOnly || text.type !== 'mrkdwn')) {
    throw new Violation('invalid_blocks', `${pointer}/type`, plainOnly ? 'must be plain_text' : 'must be plain_text or mrkdwn');
  }
  string(text.text, `${pointer}/text`, 1, maxLength);
}

function string(value: unknown, pointer: string, minLength: number, maxLength: number): void {
  if (typeof value !== 'string') throw new Violation('invalid_blocks', pointer, 'must be a string');
  if (value.length < minLength) throw new Violation('invalid_blocks', pointer, `must be at least ${minLength} characters`);
  if (value.length > maxLength) throw new Violation('invalid_blocks', pointer, `must be less than ${maxLength + 1} characters`);
}

function id(value: unknown, pointer: string): string {
  string(value, pointer, 1, MAX_ID);
  return value as string;
}

function list(value: unknown, pointer: string, minItems: number, maxItems: number): unknown[] {
  if (!Array.isArray(value)) throw new Violation('invalid_blocks', pointer, 'must be an array');
  if (value.length < minItems) throw new Violation('invalid_blocks', pointer, `must have at least ${minItems} items`);
  if (value.length > maxItems) throw new Violation('invalid_blocks', pointer, `no more than ${maxItems} items allowed`);
  return value;
}

function object(value: unknown, pointer: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Violation('invalid_blocks', pointer, 'must be an object');
  }
  return value as Json;
}
