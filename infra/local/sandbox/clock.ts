import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The sandbox's notion of "now": real time plus an offset that tests and benchmarks move forward,
 * so that days of waiting (VPC initialization, pending ages) pass in milliseconds.
 */
export class SandboxClock {
  private offsetMs = 0;
  /** Set while frozen: the time stands still and moves only when advanced (benchmarks count exactly). */
  private frozenAtMs: number | undefined;
  private readonly listeners = new Set<(nowMs: number) => void>();
  private filePath: string | undefined;

  /**
   * Keeps the offset (and a freeze) in a file, and takes it back from there: a restarted sandbox
   * goes on from its own time, not the machine's, so the resources' times and the requests' waits
   * still make sense. Real time that passed while it was down passes for the sandbox too.
   */
  persistTo(filePath: string): void {
    this.filePath = filePath;
    if (!existsSync(filePath)) return;
    try {
      const saved = JSON.parse(readFileSync(filePath, 'utf8')) as { offsetMs?: unknown; frozenAtMs?: unknown };
      if (typeof saved.offsetMs === 'number' && Number.isFinite(saved.offsetMs)) this.offsetMs = saved.offsetMs;
      this.frozenAtMs = typeof saved.frozenAtMs === 'number' && Number.isFinite(saved.frozenAtMs) ? saved.frozenAtMs : undefined;
    } catch {
      // A torn write: the machine's time is the best there is.
    }
  }

  nowMs(): number {
    return this.frozenAtMs ?? Date.now() + this.offsetMs;
  }

  get frozen(): boolean {
    return this.frozenAtMs !== undefined;
  }

  /**
   * Stops real time from moving the sandbox time (or lets it move again, from where it stands).
   * A run driven only by `advance` then sees the same times whatever the machine's speed.
   */
  freeze(frozen: boolean): void {
    if (frozen && this.frozenAtMs === undefined) this.frozenAtMs = this.nowMs();
    if (!frozen && this.frozenAtMs !== undefined) {
      this.offsetMs = this.frozenAtMs - Date.now();
      this.frozenAtMs = undefined;
    }
    this.save();
  }

  /** Epoch seconds with millisecond precision, the timestamp form of AWS's JSON protocols. */
  nowEpochSeconds(): number {
    return Math.round(this.nowMs()) / 1000;
  }

  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
    if (this.frozenAtMs !== undefined) this.frozenAtMs += ms;
    else this.offsetMs += ms;
    this.save();
    this.notify();
    return this.nowMs();
  }

  /** Jumps to an absolute time; refuses to go back, since resources carry times from the past. */
  set(epochMs: number): number {
    return this.advance(epochMs - this.nowMs());
  }

  onChange(listener: (nowMs: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private save(): void {
    if (!this.filePath) return;
    mkdirSync(dirname(this.filePath), { recursive: true });
    const temporary = `${this.filePath}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ offsetMs: this.offsetMs, frozenAtMs: this.frozenAtMs }));
    renameSync(temporary, this.filePath);
  }

  private notify(): void {
    const now = this.nowMs();
    for (const listener of this.listeners) listener(now);
  }
}
