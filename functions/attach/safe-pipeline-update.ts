import { GetPipelineCommand, UpdatePipelineCommand, type CodePipelineClient, type PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { PipelineEditConflict } from '../workflow/errors.ts';

/**
 * Read-modify-write of a whole pipeline declaration that never loses someone else's edit.
 *
 * UpdatePipeline has no version precondition (AWS documents none; the version it is sent is
 * ignored), so the check is ours: right before writing we read the version again, and if it moved
 * we recompute our change on the fresh declaration. A write can still race one that lands between
 * that re-read and ours; UpdatePipeline then answers a version more than one past the one we
 * checked, and we rebuild our change on the version we overwrote (GetPipeline keeps past versions)
 * and write again, so their edit comes back within moments. Bounded: after `maxAttempts` rounds
 * the step fails with PipelineEditConflict (the state machine retries later, then rolls back).
 */

export interface PipelineRewrite<T> {
  /** What to send, or undefined when the declaration already is as wanted. */
  declaration?: PipelineDeclaration;
  /** The caller's own account of the change (e.g. the source action before), returned as is. */
  plan: T;
}

export interface ConcurrentEdit {
  /** The version our change was computed on. */
  basedOn: number;
  /** The version we found instead. */
  found: number;
  /** `before-write`: caught by the re-read; `overwritten`: our write replaced it and we rebuilt on it. */
  caught: 'before-write' | 'overwritten';
}

export interface SafeUpdateResult<T> {
  updated: boolean;
  /** The declaration our final change was computed on. */
  base: PipelineDeclaration;
  /** The declaration as it is after our write (the base when nothing was written). */
  result: PipelineDeclaration;
  plan: T;
  concurrentEdits: ConcurrentEdit[];
}

export interface SafeUpdateOptions<T> {
  pipelines: CodePipelineClient;
  name: string;
  rewrite: (current: PipelineDeclaration) => PipelineRewrite<T>;
  /**
   * The declaration already read, when the caller did work between reading and writing (e.g.
   * granting permissions): the re-read before the write then covers that whole window.
   */
  initial?: PipelineDeclaration;
  /** Runs before each UpdatePipeline, e.g. to record what is about to change so a crash can be undone. */
  beforeWrite?: (rewrite: PipelineRewrite<T>, base: PipelineDeclaration) => Promise<void>;
  maxAttempts: number;
}

export async function safeUpdatePipeline<T>(options: SafeUpdateOptions<T>): Promise<SafeUpdateResult<T>> {
  const { pipelines, name, rewrite, beforeWrite, maxAttempts } = options;
  const concurrentEdits: ConcurrentEdit[] = [];
  let base = options.initial ?? (await read(pipelines, name));
  // The version the pipeline must still have when we write: normally base's own, but after we
  // overwrote someone it is our write's version while base is the declaration we overwrote.
  let expectedVersion = base.version!;
  let mustRestoreBase = false;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const change = rewrite(base);
    // After an overwrite, their declaration goes back even when it needs nothing from us.
    const declaration = change.declaration ?? (mustRestoreBase ? base : undefined);
    if (!declaration) return { updated: false, base, result: base, plan: change.plan, concurrentEdits };
    const fresh = await read(pipelines, name);
    if (fresh.version !== expectedVersion) {
      concurrentEdits.push({ basedOn: expectedVersion, found: fresh.version!, caught: 'before-write' });
      base = fresh;
      expectedVersion = fresh.version!;
      mustRestoreBase = false;
      continue;
    }
    await beforeWrite?.({ ...change, declaration }, base);
    const { pipeline: written } = await pipelines.send(new UpdatePipelineCommand({ pipeline: declaration }));
    const writtenVersion = written?.version ?? expectedVersion + 1;
    if (writtenVersion === expectedVersion + 1) {
      return { updated: true, base, result: written ?? { ...declaration, version: writtenVersion }, plan: change.plan, concurrentEdits };
    }
    // Someone wrote between our re-read and our write, and we replaced their version unseen.
    const overwritten = await read(pipelines, name, writtenVersion - 1);
    concurrentEdits.push({ basedOn: expectedVersion, found: overwritten.version ?? writtenVersion - 1, caught: 'overwritten' });
    base = overwritten;
    expectedVersion = writtenVersion;
    mustRestoreBase = true;
  }
  throw new PipelineEditConflict(name, maxAttempts);
}

async function read(pipelines: CodePipelineClient, name: string, version?: number): Promise<PipelineDeclaration> {
  const { pipeline } = await pipelines.send(new GetPipelineCommand({ name, ...(version === undefined ? {} : { version }) }));
  if (!pipeline) throw new Error(`GetPipeline returned no declaration for ${name}`);
  return pipeline;
}
