import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Sandbox resources, as plain JSON-serialisable data in named slices: one slice per service and
 * scope (`codestar-connections|111111111111|us-east-1`, `iam|111111111111`). Services own the
 * shape of their slice; the store only keeps it and, when given a path, persists it so that a
 * restarted sandbox still has its resources.
 *
 * Persistence costs what changed, not what is held. A slice is split into records: each entry of
 * a field that holds an object (`hosts[arn]`), each item of a field that holds a list
 * (`events[3]`), and every other field as a whole (`nextSeq`). After a change the service says
 * which records it touched (`markChanged(state, 'hosts', arn)`); 50 ms later the store writes
 * those of them whose JSON differs from what it last wrote, as one line appended to a journal.
 * When the journal has grown to several times the live state it is rewritten as just the live
 * state (compaction). The file format is private to this module; see JOURNAL_FORMAT below.
 */
export class SandboxStore {
  private slices: Record<string, object> = {};
  /** Slice object → its key, so that a service marks changes on the object it holds. */
  private readonly keys = new WeakMap<object, string>();
  private saveTimer: NodeJS.Timeout | undefined;
  /** Slices (by key) with records to compare at the next flush: all of them, or some fields' records. */
  private dirty = new Map<string, DirtySlice>();
  /** What the file holds of each slice, record by record, as the JSON last written. */
  private written = new Map<string, WrittenSlice>();
  /** About what a compacted journal of the live state takes (see `fieldCost`): the measure of the journal's growth. */
  private liveBytes = 0;
  private journalBytes = 0;
  /** The file's size when this store last rewrote it. */
  private rewrittenBytes = 0;
  /** The file must be rewritten before anything is appended (absent, an older format, or reset). */
  private rewriteNeeded = true;
  /** Open `changesOf` calls: the slices each operation fetched, and whether it marked anything itself. */
  private readonly operations: OperationChanges[] = [];
  private readonly compaction: CompactionPolicy;

  constructor(
    private readonly filePath?: string,
    options: { compaction?: Partial<CompactionPolicy> } = {},
  ) {
    this.compaction = { ...DEFAULT_COMPACTION, ...options.compaction };
    if (filePath && existsSync(filePath)) this.load(filePath);
  }

  get persistent(): boolean {
    return this.filePath !== undefined;
  }

  /** The slice for a service in one scope, created empty on first use. */
  slice<T>(service: string, scope: readonly string[], create: () => T): T {
    const key = [service, ...scope].join('|');
    let slice = this.slices[key];
    if (!slice) {
      slice = create() as object;
      this.slices[key] = slice;
      this.keys.set(slice, key);
      this.markKey(key);
    }
    for (const operation of this.operations) operation.fetched.add(key);
    return slice as T;
  }

  /** Every existing slice of a service, with the scope it belongs to. */
  slicesOf<T>(service: string): { scope: string[]; data: T }[] {
    return Object.entries(this.slices)
      .filter(([key]) => key.split('|')[0] === service)
      .map(([key, data]) => {
        for (const operation of this.operations) operation.fetched.add(key);
        return { scope: key.split('|').slice(1), data: data as T };
      });
  }

  reset(): void {
    this.slices = {};
    this.dirty.clear();
    this.written.clear();
    this.liveBytes = 0;
    this.rewriteNeeded = true;
    this.schedule();
  }

  /**
   * Call after a mutation, naming what changed: a record (`markChanged(state, 'hosts', arn)`,
   * `markChanged(state, 'events', index)`), every record of a field (`markChanged(state, 'hosts')`)
   * or of a slice (`markChanged(state)`). The wider the mark, the more the next flush compares;
   * it writes only what differs either way. A list whose items moved (one removed, or added
   * anywhere but at its end) is marked as a field. Without arguments every slice is compared:
   * correct, but it costs as much as the whole state. Writes are coalesced so bursts of calls
   * cost one write.
   */
  markChanged<T extends object>(slice?: T, field?: keyof T & string, key?: string | number): void {
    for (const operation of this.operations) operation.marked = true;
    if (!this.filePath) return;
    if (slice === undefined) {
      for (const sliceKey of Object.keys(this.slices)) this.markKey(sliceKey);
      return;
    }
    const sliceKey = this.keys.get(slice);
    // A slice that a reset has since replaced is nobody's state any more.
    if (sliceKey === undefined || this.slices[sliceKey] !== slice) return;
    this.markKey(sliceKey, field, key);
  }

  /**
   * Runs one operation. Unless it marked what it changed, every slice it fetched counts as changed
   * once it succeeds (compared in full at the next flush): an operation that says nothing is
   * still persisted, at the cost of comparing those slices whole. An operation that fails is
   * expected to have changed nothing. Only what runs before `operation` returns is seen; an
   * asynchronous operation marks its own changes.
   */
  changesOf<T>(operation: () => T): T {
    if (!this.filePath) return operation();
    const changes: OperationChanges = { fetched: new Set(), marked: false };
    this.operations.push(changes);
    let result: T;
    try {
      result = operation();
    } finally {
      this.operations.splice(this.operations.indexOf(changes), 1);
    }
    if (!changes.marked) for (const key of changes.fetched) this.markKey(key);
    return result;
  }

  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.filePath) return;
    if (this.rewriteNeeded) return this.compact();
    const operations: string[] = [];
    for (const [sliceKey, dirty] of this.dirty) this.compareSlice(sliceKey, dirty, operations);
    this.dirty.clear();
    if (operations.length === 0) return;
    const line = `[${operations.join(',')}]\n`;
    appendFileSync(this.filePath, line);
    this.journalBytes += Buffer.byteLength(line);
    // Measured against the last rewrite too, so that a rewrite is always paid for by what was appended since.
    const { ratio, minBytes } = this.compaction;
    if (this.journalBytes > Math.max(minBytes, ratio * this.liveBytes, ratio * this.rewrittenBytes)) this.compact();
  }

  /**
   * Records whose live value differs from what the file holds: what a restart would lose if the
   * process stopped now, without a flush. Compares the whole state; for tests and diagnosis.
   */
  unsavedRecords(): string[] {
    const differences: string[] = [];
    for (const [sliceKey, slice] of Object.entries(this.slices)) {
      const written = this.written.get(sliceKey);
      const fields = new Set([...Object.keys(slice), ...(written?.fields.keys() ?? [])]);
      for (const field of fields) {
        const now = recordsOf((slice as Record<string, unknown>)[field]);
        const then = written?.fields.get(field);
        if (now.kind === 'absent' && !then) continue;
        if (then?.kind !== now.kind || then.json !== now.json) differences.push(`${sliceKey} ${field}`);
        for (const [key, json] of now.records) if (then?.records.get(key) !== json) differences.push(`${sliceKey} ${field} ${key}`);
        for (const key of then?.records.keys() ?? []) if (!now.records.has(key)) differences.push(`${sliceKey} ${field} ${key} (deleted)`);
      }
    }
    for (const sliceKey of this.written.keys()) if (!(sliceKey in this.slices)) differences.push(`${sliceKey} (deleted)`);
    return differences;
  }

  private schedule(): void {
    if (!this.filePath || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), 50);
    this.saveTimer.unref();
  }

  private markKey(sliceKey: string, field?: string, key?: string | number): void {
    if (!this.filePath) return;
    this.schedule();
    const dirty = this.dirty.get(sliceKey);
    if (dirty === 'all') return;
    if (field === undefined) {
      this.dirty.set(sliceKey, 'all');
      return;
    }
    const fields = dirty ?? new Map<string, DirtyField>();
    this.dirty.set(sliceKey, fields);
    const marked = fields.get(field);
    if (marked === 'all') return;
    if (key === undefined) fields.set(field, 'all');
    else fields.set(field, (marked ?? new Set()).add(String(key)));
  }

  /** Appends to `operations` what turns the written copy of one slice into its live state. */
  private compareSlice(sliceKey: string, dirty: DirtySlice, operations: string[]): void {
    const slice = this.slices[sliceKey] as Record<string, unknown> | undefined;
    let written = this.written.get(sliceKey);
    const s = JSON.stringify(sliceKey);
    if (!slice) {
      if (!written) return;
      for (const field of written.fields.values()) this.liveBytes -= field.bytes;
      this.written.delete(sliceKey);
      operations.push(`{"o":"drop","s":${s}}`);
      return;
    }
    if (!written) {
      written = { fields: new Map() };
      this.written.set(sliceKey, written);
      operations.push(`{"o":"slice","s":${s}}`);
      dirty = 'all';
    }
    const fields = dirty === 'all' ? new Set([...Object.keys(slice), ...written.fields.keys()]) : dirty.keys();
    for (const field of fields) {
      const marked = dirty === 'all' ? 'all' : dirty.get(field)!;
      this.compareField(s, written, field, slice[field], marked, operations);
    }
  }

  private compareField(s: string, slice: WrittenSlice, field: string, value: unknown, marked: DirtyField, operations: string[]): void {
    const f = JSON.stringify(field);
    const kind = kindOf(value);
    let written = slice.fields.get(field);
    if (kind === 'absent') {
      if (!written) return;
      this.liveBytes -= written.bytes;
      slice.fields.delete(field);
      operations.push(`{"o":"unset","s":${s},"f":${f}}`);
      return;
    }
    if (kind === 'value') {
      const json = JSON.stringify(value);
      if (written?.kind === 'value' && written.json === json) return;
      this.liveBytes += fieldCost(s, f, json) - (written?.bytes ?? 0);
      slice.fields.set(field, { kind, json, records: new Map(), bytes: fieldCost(s, f, json) });
      operations.push(`{"o":"set","s":${s},"f":${f},"v":${json}}`);
      return;
    }
    if (!written || written.kind !== kind) {
      // A new container: every record in it is new.
      this.liveBytes -= written?.bytes ?? 0;
      const json = kind === 'map' ? '{}' : '[]';
      written = { kind, json, records: new Map(), bytes: fieldCost(s, f, json) };
      this.liveBytes += written.bytes;
      slice.fields.set(field, written);
      operations.push(`{"o":"set","s":${s},"f":${f},"v":${json}}`);
      marked = 'all';
    }
    const before = written.bytes;
    if (kind === 'map') compareMap(s, f, written, value as Record<string, unknown>, marked, operations);
    else compareList(s, f, written, value as unknown[], marked, operations);
    this.liveBytes += written.bytes - before;
  }

  /** Rewrites the file as the live state alone: a temporary file renamed over the journal. */
  private compact(): void {
    const filePath = this.filePath!;
    this.dirty.clear();
    this.written.clear();
    this.liveBytes = 0;
    mkdirSync(dirname(filePath), { recursive: true });
    const temporary = `${filePath}.${process.pid}.tmp`;
    const descriptor = openSync(temporary, 'w');
    let bytes = 0;
    try {
      const write = (text: string) => {
        writeFileSync(descriptor, text);
        bytes += Buffer.byteLength(text);
      };
      write(`${JSON.stringify(JOURNAL_HEADER)}\n`);
      for (const sliceKey of Object.keys(this.slices)) {
        // Compared to nothing, the slice becomes the written copy; it is written a field at a time.
        this.compareSlice(sliceKey, 'all', []);
        const s = JSON.stringify(sliceKey);
        const operations = [`{"o":"slice","s":${s}}`];
        for (const [field, written] of this.written.get(sliceKey)!.fields) {
          operations.push(`{"o":"set","s":${s},"f":${JSON.stringify(field)},"v":${fieldJson(written)}}`);
        }
        write(`[${operations.join(',')}]\n`);
      }
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, filePath);
    this.journalBytes = bytes;
    this.rewrittenBytes = bytes;
    this.rewriteNeeded = false;
  }

  private load(filePath: string): void {
    const content = readFileSync(filePath);
    const firstEnd = content.indexOf(0x0a);
    const first = parseLine(content.subarray(0, firstEnd === -1 ? content.length : firstEnd));
    if (isHeader(first) && firstEnd !== -1) {
      this.replay(filePath, content, firstEnd + 1);
    } else if (isLegacyDocument(first)) {
      // The format before the journal: one JSON document, rewritten whole on every change.
      this.slices = first.slices;
    }
    // Anything else (another version, or no header at all) is not ours to read, as before: start empty.
    for (const [key, slice] of Object.entries(this.slices)) this.keys.set(slice, key);
    if (!this.rewriteNeeded) {
      // What the journal holds is now the written copy, so the next flush appends only changes.
      for (const sliceKey of Object.keys(this.slices)) this.compareSlice(sliceKey, 'all', []);
    }
  }

  /**
   * Applies the journal's lines in order. A last line cut short (the process stopped during a
   * write) is dropped and cut from the file, so that the next append starts on a line of its own;
   * an unreadable line anywhere else means the file is damaged, and starting empty would hide it.
   */
  private replay(filePath: string, content: Buffer, offset: number): void {
    let start = offset;
    while (start < content.length) {
      const newline = content.indexOf(0x0a, start);
      const end = newline === -1 ? content.length : newline;
      const operations = parseLine(content.subarray(start, end));
      if (!Array.isArray(operations)) {
        if (content.subarray(end).some((byte) => byte !== 0x0a)) {
          throw new Error(`${filePath}: the sandbox state journal is damaged at byte ${start}; delete the file to start afresh`);
        }
        truncateSync(filePath, start);
        break;
      }
      for (const operation of operations as JournalOperation[]) this.apply(operation);
      // A whole line whose newline was never written: complete it, so the next append starts afresh.
      if (newline === -1) appendFileSync(filePath, '\n');
      start = end + 1;
    }
    this.journalBytes = start;
    this.rewriteNeeded = false;
  }

  private apply(operation: JournalOperation): void {
    if (operation.o === 'drop') {
      delete this.slices[operation.s];
      return;
    }
    const slice = (this.slices[operation.s] ??= {}) as Record<string, unknown>;
    switch (operation.o) {
      case 'slice':
        return;
      case 'set':
        return define(slice, operation.f, operation.v);
      case 'unset':
        delete slice[operation.f];
        return;
      case 'put': {
        const container = slice[operation.f];
        if (Array.isArray(container)) container[Number(operation.k)] = operation.v;
        else define(container as Record<string, unknown>, operation.k, operation.v);
        return;
      }
      case 'del':
        delete (slice[operation.f] as Record<string, unknown>)[operation.k];
        return;
      case 'shift':
        (slice[operation.f] as unknown[]).splice(0, operation.n);
        return;
      case 'trunc':
        (slice[operation.f] as unknown[]).length = operation.n;
        return;
    }
  }
}

/**
 * The file: a header line, then one line per flush, each a JSON array of operations that are
 * applied in order (a line is all or nothing: a torn one is dropped whole).
 *   {"o":"slice","s":key}                 the slice exists
 *   {"o":"drop","s":key}                  the slice is gone
 *   {"o":"set","s":key,"f":field,"v":v}   the field is v (compaction sets each field whole; an
 *                                         empty {} or [] starts a container whose records follow)
 *   {"o":"unset","s":key,"f":field}
 *   {"o":"put","s":key,"f":field,"k":k,"v":v}   entry k of an object field, item k of a list field
 *   {"o":"del","s":key,"f":field,"k":k}         entry k of an object field is gone
 *   {"o":"shift","s":key,"f":field,"n":n}       a list field loses its first n items
 *   {"o":"trunc","s":key,"f":field,"n":n}       a list field keeps its first n items
 */
const JOURNAL_FORMAT = 'connection-broker-sandbox-journal';
const JOURNAL_VERSION = 2;
const JOURNAL_HEADER = { format: JOURNAL_FORMAT, version: JOURNAL_VERSION };
/** The whole-document format that version 2 replaced; read once and rewritten as a journal. */
const LEGACY_VERSION = 1;

type JournalOperation =
  | { o: 'slice' | 'drop'; s: string }
  | { o: 'set'; s: string; f: string; v: unknown }
  | { o: 'unset'; s: string; f: string }
  | { o: 'put'; s: string; f: string; k: string; v: unknown }
  | { o: 'del'; s: string; f: string; k: string }
  | { o: 'shift' | 'trunc'; s: string; f: string; n: number };

export interface CompactionPolicy {
  /** Rewrite the file once the journal exceeds this many times the live state (more than 1)... */
  ratio: number;
  /** ...and this many bytes: a small state is not rewritten for every few changes. */
  minBytes: number;
}

const DEFAULT_COMPACTION: CompactionPolicy = { ratio: 4, minBytes: 1 << 20 };

type DirtyField = 'all' | Set<string>;
type DirtySlice = 'all' | Map<string, DirtyField>;

interface OperationChanges {
  fetched: Set<string>;
  marked: boolean;
}

type FieldKind = 'map' | 'list' | 'value';

/** One field as written: its kind, its JSON (a value field, or `{}`/`[]`), its records' JSON. */
interface WrittenField {
  kind: FieldKind;
  json: string;
  /** Entry key or list index → JSON. */
  records: Map<string, string>;
  /** What the field takes in a compacted journal, about: see `fieldCost`. */
  bytes: number;
}

interface WrittenSlice {
  fields: Map<string, WrittenField>;
}

/** The whole field as JSON, put together from its records' JSON. */
function fieldJson({ kind, json, records }: WrittenField): string {
  if (kind === 'value') return json;
  if (kind === 'list') return `[${[...records.values()].join(',')}]`;
  return `{${[...records].map(([key, entry]) => `${JSON.stringify(key)}:${entry}`).join(',')}}`;
}

function kindOf(value: unknown): FieldKind | 'absent' {
  if (value === undefined) return 'absent';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) return 'map';
  return 'value';
}

/** A field's records as `compareField` would write them (for `unsavedRecords`). */
function recordsOf(value: unknown): { kind: FieldKind | 'absent'; json?: string; records: Map<string, string> } {
  const kind = kindOf(value);
  if (kind === 'absent') return { kind, records: new Map() };
  if (kind === 'value') return { kind, json: JSON.stringify(value), records: new Map() };
  const entries: [string, unknown][] = kind === 'list' ? (value as unknown[]).map((item, index) => [String(index), item]) : Object.entries(value as object);
  const records = new Map<string, string>();
  for (const [key, item] of entries) {
    const json = itemJson(item, kind);
    if (json !== undefined) records.set(key, json);
  }
  return { kind, json: kind === 'map' ? '{}' : '[]', records };
}

/** JSON of an entry (undefined: absent, as JSON.stringify drops it) or of a list item (null, as JSON writes it). */
function itemJson(value: unknown, kind: 'map' | 'list'): string | undefined {
  const json = JSON.stringify(value) as string | undefined;
  return json === undefined && kind === 'list' ? 'null' : json;
}

function compareMap(s: string, f: string, written: WrittenField, value: Record<string, unknown>, marked: DirtyField, operations: string[]): void {
  const keys = marked === 'all' ? new Set([...Object.keys(value), ...written.records.keys()]) : marked;
  for (const key of keys) {
    const json = Object.hasOwn(value, key) ? itemJson(value[key], 'map') : undefined;
    const before = written.records.get(key);
    if (json === before) continue;
    const k = JSON.stringify(key);
    written.bytes += (json === undefined ? 0 : entryCost(key, json)) - (before === undefined ? 0 : entryCost(key, before));
    if (json === undefined) {
      written.records.delete(key);
      operations.push(`{"o":"del","s":${s},"f":${f},"k":${k}}`);
    } else {
      written.records.set(key, json);
      operations.push(`{"o":"put","s":${s},"f":${f},"k":${k},"v":${json}}`);
    }
  }
}

/**
 * Items are records by index. Marked items are compared alone while the list has only grown by
 * marked items; otherwise the whole list is compared, and a list that lost items at its front
 * (a bounded log) is written as a shift rather than as every item moved down.
 */
function compareList(s: string, f: string, written: WrittenField, value: unknown[], marked: DirtyField, operations: string[]): void {
  const writtenLength = written.records.size;
  if (marked !== 'all' && value.length >= writtenLength) {
    const indexes = [...marked].map(Number);
    const inRange = indexes.every((index) => Number.isInteger(index) && index >= 0 && index < value.length);
    let newItemsMarked = true;
    for (let index = writtenLength; index < value.length && newItemsMarked; index++) newItemsMarked = marked.has(String(index));
    if (inRange && newItemsMarked) {
      for (const index of indexes.sort((a, b) => a - b)) putItem(s, f, written, index, itemJson(value[index], 'list')!, operations);
      return;
    }
  }
  const items = value.map((item) => itemJson(item, 'list')!);
  const shift = frontLoss(written, items);
  if (shift > 0) {
    for (let index = 0; index < shift; index++) written.bytes -= itemCost(written.records.get(String(index))!);
    const kept = Array.from({ length: writtenLength - shift }, (_, index) => written.records.get(String(index + shift))!);
    written.records = new Map(kept.map((json, index) => [String(index), json]));
    operations.push(`{"o":"shift","s":${s},"f":${f},"n":${shift}}`);
  }
  items.forEach((json, index) => putItem(s, f, written, index, json, operations));
  if (items.length < written.records.size) {
    for (let index = written.records.size - 1; index >= items.length; index--) {
      written.bytes -= itemCost(written.records.get(String(index))!);
      written.records.delete(String(index));
    }
    operations.push(`{"o":"trunc","s":${s},"f":${f},"n":${items.length}}`);
  }
}

function putItem(s: string, f: string, written: WrittenField, index: number, json: string, operations: string[]): void {
  const before = written.records.get(String(index));
  if (json === before) return;
  written.bytes += itemCost(json) - (before === undefined ? 0 : itemCost(before));
  written.records.set(String(index), json);
  operations.push(`{"o":"put","s":${s},"f":${f},"k":${index},"v":${json}}`);
}

/** How many items the written list lost at its front, if the live list is what remains of it (plus new items). */
function frontLoss(written: WrittenField, items: string[]): number {
  const length = written.records.size;
  if (items.length === 0 || length === 0 || written.records.get('0') === items[0]) return 0;
  for (let shift = 1; shift < length; shift++) {
    if (written.records.get(String(shift)) !== items[0]) continue;
    let matches = true;
    for (let index = 1; index < Math.min(items.length, length - shift) && matches; index++) matches = written.records.get(String(index + shift)) === items[index];
    if (matches) return shift;
  }
  return 0;
}

/*
 * What the live state takes in a compacted journal, about (characters, not bytes): each field is
 * one `set` operation naming its slice, and holds its entries (`"key":json,`) or items (`json,`).
 */
function fieldCost(s: string, f: string, json: string): number {
  return s.length + f.length + json.length + 24;
}

function entryCost(key: string, json: string): number {
  return key.length + json.length + 4;
}

function itemCost(json: string): number {
  return json.length + 1;
}

/** Sets a key as an own property, whatever its name (`__proto__` included). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

function parseLine(line: Buffer): unknown {
  try {
    return JSON.parse(line.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function isHeader(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { format?: unknown }).format === JOURNAL_FORMAT && (value as { version?: unknown }).version === JOURNAL_VERSION;
}

function isLegacyDocument(value: unknown): value is { version: number; slices: Record<string, object> } {
  if (typeof value !== 'object' || value === null) return false;
  const { version, slices } = value as { version?: unknown; slices?: unknown };
  return version === LEGACY_VERSION && typeof slices === 'object' && slices !== null;
}
