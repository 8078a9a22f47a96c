import { CodePipelineClient, GetPipelineCommand, UpdatePipelineCommand, type PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { PipelineEditConflict } from '../workflow/errors.ts';
import { safeUpdatePipeline } from './safe-pipeline-update.ts';

const pipelines = mockClient(CodePipelineClient);
const client = new CodePipelineClient({ region: 'us-east-1' });

const declaration = (version: number, marker: string): PipelineDeclaration => ({ name: 'p', roleArn: 'arn:aws:iam::111111111111:role/r', stages: [], version, variables: [{ name: marker }] });
/** Our change: add a variable `ours` unless it is there. */
const addOurs = (current: PipelineDeclaration) => ({
  declaration: current.variables?.some((variable) => variable.name === 'ours') ? undefined : { ...current, variables: [...(current.variables ?? []), { name: 'ours' }] },
  plan: current.variables!.map((variable) => variable.name).join('+'),
});
const sentDeclarations = () => pipelines.commandCalls(UpdatePipelineCommand).map((call) => call.args[0].input.pipeline!.variables!.map((variable) => variable.name));

beforeEach(() => pipelines.reset());

describe('version-checked UpdatePipeline', () => {
  it('writes once when nobody else edits, after re-reading the version', async () => {
    pipelines.on(GetPipelineCommand).resolves({ pipeline: declaration(3, 'base') });
    pipelines.on(UpdatePipelineCommand).resolves({ pipeline: { ...declaration(4, 'base'), variables: [{ name: 'base' }, { name: 'ours' }] } });
    const result = await safeUpdatePipeline({ pipelines: client, name: 'p', rewrite: addOurs, maxAttempts: 3 });
    expect(result).toMatchObject({ updated: true, plan: 'base', concurrentEdits: [] });
    expect(pipelines.commandCalls(GetPipelineCommand)).toHaveLength(2);
    expect(sentDeclarations()).toEqual([['base', 'ours']]);
  });

  it('does not write when the change is already there', async () => {
    pipelines.on(GetPipelineCommand).resolves({ pipeline: { ...declaration(3, 'base'), variables: [{ name: 'ours' }] } });
    const result = await safeUpdatePipeline({ pipelines: client, name: 'p', rewrite: addOurs, maxAttempts: 3 });
    expect(result.updated).toBe(false);
    expect(pipelines.commandCalls(UpdatePipelineCommand)).toHaveLength(0);
  });

  it('recomputes on the fresh declaration when the version moved before the write', async () => {
    pipelines
      .on(GetPipelineCommand)
      .resolvesOnce({ pipeline: declaration(3, 'base') })
      .resolvesOnce({ pipeline: declaration(4, 'theirs') }) // the re-read: someone edited
      .resolves({ pipeline: declaration(4, 'theirs') });
    pipelines.on(UpdatePipelineCommand).resolves({ pipeline: declaration(5, 'x') });
    const beforeWrites: string[] = [];
    const result = await safeUpdatePipeline({
      pipelines: client,
      name: 'p',
      rewrite: addOurs,
      beforeWrite: async ({ plan }) => void beforeWrites.push(plan),
      maxAttempts: 3,
    });
    expect(result.concurrentEdits).toEqual([{ basedOn: 3, found: 4, caught: 'before-write' }]);
    expect(sentDeclarations()).toEqual([['theirs', 'ours']]);
    expect(beforeWrites).toEqual(['theirs']);
    expect(result.base.version).toBe(4);
  });

  it('uses the declaration the caller already read, so the re-read covers the work done since', async () => {
    pipelines.on(GetPipelineCommand).resolves({ pipeline: declaration(4, 'theirs') });
    pipelines.on(UpdatePipelineCommand).resolves({ pipeline: declaration(5, 'x') });
    const result = await safeUpdatePipeline({ pipelines: client, name: 'p', initial: declaration(3, 'base'), rewrite: addOurs, maxAttempts: 3 });
    expect(result.concurrentEdits).toEqual([{ basedOn: 3, found: 4, caught: 'before-write' }]);
    expect(sentDeclarations()).toEqual([['theirs', 'ours']]);
  });

  it('rebuilds on a version our write overwrote unseen, and writes again', async () => {
    // The more specific behaviour is defined last: aws-sdk-client-mock prefers it.
    pipelines
      .on(GetPipelineCommand, { name: 'p' })
      .resolvesOnce({ pipeline: declaration(3, 'base') })
      .resolvesOnce({ pipeline: declaration(3, 'base') }) // re-read: unchanged, then theirs lands before our write
      .resolves({ pipeline: { ...declaration(5, 'base'), variables: [{ name: 'base' }, { name: 'ours' }] } })
      .on(GetPipelineCommand, { name: 'p', version: 4 })
      .resolves({ pipeline: declaration(4, 'theirs') });
    pipelines
      .on(UpdatePipelineCommand)
      .resolvesOnce({ pipeline: declaration(5, 'ours-over-theirs') }) // version 5, not 4: someone wrote 4
      .resolvesOnce({ pipeline: declaration(6, 'rebuilt') });
    const result = await safeUpdatePipeline({ pipelines: client, name: 'p', rewrite: addOurs, maxAttempts: 3 });
    expect(result.concurrentEdits).toEqual([{ basedOn: 3, found: 4, caught: 'overwritten' }]);
    expect(sentDeclarations()).toEqual([['base', 'ours'], ['theirs', 'ours']]);
    expect(result.updated).toBe(true);
    expect(result.result.version).toBe(6);
  });

  it('gives up with PipelineEditConflict after the bounded attempts, without writing over anyone', async () => {
    let version = 1;
    pipelines.on(GetPipelineCommand).callsFake(() => ({ pipeline: declaration(version++, `edit-${version}`) }));
    await expect(safeUpdatePipeline({ pipelines: client, name: 'p', rewrite: addOurs, maxAttempts: 3 })).rejects.toBeInstanceOf(PipelineEditConflict);
    expect(pipelines.commandCalls(UpdatePipelineCommand)).toHaveLength(0);
  });
});
