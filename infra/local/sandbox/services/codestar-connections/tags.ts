import type { OperationHandler, SandboxDeps } from '../../service.ts';
import { limitExceeded, resourceNotFound } from './errors.ts';
import type { CallContext } from '../../context.ts';
import type { SandboxStore } from '../../store.ts';
import { callConnections, callState, findByArn, type Tag } from './state.ts';

/** AWS's per-resource tag limit for this service (the TagList model bound). */
const MAX_TAGS_PER_RESOURCE = 200;

export function tagOperations({ store }: SandboxDeps): Record<string, OperationHandler> {
  return {
    TagResource(input: { ResourceArn: string; Tags: Tag[] }, call) {
      const { arn, tags, owner } = requireTaggable(store, call, input.ResourceArn);
      const merged = new Map((tags[arn] ?? []).map((tag) => [tag.Key, tag]));
      for (const tag of input.Tags) merged.set(tag.Key, tag);
      if (merged.size > MAX_TAGS_PER_RESOURCE) {
        throw limitExceeded(`A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags.`);
      }
      tags[arn] = [...merged.values()];
      store.markChanged(owner, 'tags', arn);
      return {};
    },

    UntagResource(input: { ResourceArn: string; TagKeys: string[] }, call) {
      const { arn, tags, owner } = requireTaggable(store, call, input.ResourceArn);
      const removed = new Set(input.TagKeys);
      tags[arn] = (tags[arn] ?? []).filter((tag) => !removed.has(tag.Key));
      store.markChanged(owner, 'tags', arn);
      return {};
    },

    ListTagsForResource(input: { ResourceArn: string }, call) {
      const { arn, tags } = requireTaggable(store, call, input.ResourceArn);
      return { Tags: tags[arn] ?? [] };
    },
  };
}

/**
 * The stored ARN of the host, connection or repository link the given ARN names, and the tag map
 * that holds its tags: the Region's for hosts and links, the account's for (global) connections;
 * `owner` is the state that holds that map.
 */
function requireTaggable(
  store: SandboxStore,
  call: CallContext,
  resourceArn: string,
): { arn: string; tags: Record<string, Tag[]>; owner: { tags: Record<string, Tag[]> } } {
  const state = callState(store, call);
  const regional = findByArn(state.hosts, resourceArn) ?? findByArn(state.repositoryLinks, resourceArn);
  if (regional) return { arn: regional.arn, tags: state.tags, owner: state };
  const connections = callConnections(store, call);
  const connection = findByArn(connections.connections, resourceArn);
  if (connection) return { arn: connection.arn, tags: connections.tags, owner: connections };
  throw resourceNotFound(`Resource ${resourceArn} does not exist`);
}
