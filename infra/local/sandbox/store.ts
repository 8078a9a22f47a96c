import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Sandbox resources, as plain JSON-serialisable data in named slices: one slice per service and
 * scope (`codestar-connections|111111111111|us-east-1`, `iam|111111111111`). Services own the
 * shape of their slice; the store only keeps it and, when given a path, persists it so that a
 * restarted sandbox still has its resources.
 */
export class SandboxStore {
  private slices: Record<string, unknown> = {};
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(private readonly filePath?: string) {
    if (filePath && existsSync(filePath)) {
      const document = JSON.parse(readFileSync(filePath, 'utf8')) as { version: number; slices: Record<string, unknown> };
      if (document.version === STORE_VERSION) this.slices = document.slices;
    }
  }

  get persistent(): boolean {
    return this.filePath !== undefined;
  }

  /** The slice for a service in one scope, created empty on first use. */
  slice<T>(service: string, scope: readonly string[], create: () => T): T {
    const key = [service, ...scope].join('|');
    if (!(key in this.slices)) this.slices[key] = create();
    return this.slices[key] as T;
  }

  /** Every existing slice of a service, with the scope it belongs to. */
  slicesOf<T>(service: string): { scope: string[]; data: T }[] {
    return Object.entries(this.slices)
      .filter(([key]) => key.split('|')[0] === service)
      .map(([key, data]) => ({ scope: key.split('|').slice(1), data: data as T }));
  }

  reset(): void {
    this.slices = {};
    this.markChanged();
  }

  /** Call after a mutation; writes are coalesced so bursts of calls cost one write. */
  markChanged(): void {
    if (!this.filePath || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), 50);
    this.saveTimer.unref();
  }

  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.filePath) return;
    mkdirSync(dirname(this.filePath), { recursive: true });
    const temporary = `${this.filePath}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ version: STORE_VERSION, slices: this.slices }));
    renameSync(temporary, this.filePath);
  }
}

const STORE_VERSION = 1;
