import type { OperationHandler, SandboxDeps } from '../../service.ts';
import { limitExceeded, resourceNotFound } from './errors.ts';
import { callState, findByArn, type ConnectionsState, type Tag } from './state.ts';

/** AWS's per-resource tag limit for this service (the TagList model bound). */
const MAX_TAGS_PER_RESOURCE = 200;

export function tagOperations({ store }: SandboxDeps): Record<string, OperationHandler> {
  return {
    TagResource(input: { ResourceArn: string; Tags: Tag[] }, call) {
      const state = callState(store, call);
      const arn = requireTaggable(state, input.ResourceArn);
      const merged = new Map((state.tags[arn] ?? []).map((tag) => [tag.Key, tag]));
      for (const tag of input.Tags) merged.set(tag.Key, tag);
      if (merged.size > MAX_TAGS_PER_RESOURCE) {
        throw limitExceeded(`A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags.`);
      }
      state.tags[arn] = [...merged.values()];
      return {};
    },

    UntagResource(input: { ResourceArn: string; TagKeys: string[] }, call) {
      const state = callState(store, call);
      const arn = requireTaggable(state, input.ResourceArn);
      const removed = new Set(input.TagKeys);
      state.tags[arn] = (state.tags[arn] ?? []).filter((tag) => !removed.has(tag.Key));
      return {};
    },

    ListTagsForResource(input: { ResourceArn: string }, call) {
      const state = callState(store, call);
      return { Tags: state.tags[requireTaggable(state, input.ResourceArn)] ?? [] };
    },
  };
}

/** The stored ARN of the host, connection or repository link the given ARN names. */
function requireTaggable(state: ConnectionsState, resourceArn: string): string {
  const resource =
    findByArn(state.hosts, resourceArn) ?? findByArn(state.connections, resourceArn) ?? findByArn(state.repositoryLinks, resourceArn);
  if (!resource) throw resourceNotFound(`Resource ${resourceArn} does not exist`);
  return resource.arn;
}
