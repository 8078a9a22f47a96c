import type { AwsServiceError } from '../errors.ts';

type PageKey = string | number;

export interface PageOptions<T> {
  /** Identifies an item; the token names the key of the last item returned. */
  keyOf: (item: T) => PageKey;
  /**
   * Items are in ascending key order, so a page can resume after a key whose item was deleted
   * between calls. Otherwise the named item must still be there.
   */
  sortedByKey: boolean;
  pageSize: number;
  nextToken: string | undefined;
  /** Binds tokens to one listing: a token from another list is refused. */
  list: string;
  invalidToken: () => AwsServiceError;
}

/**
 * One page of `items` (already in list order) and the opaque token for the next, which is left
 * out on the last page, as AWS does (the SDK paginators stop on a missing token).
 */
export function paginate<T>(items: readonly T[], options: PageOptions<T>): { page: T[]; nextToken: string | undefined } {
  const start = options.nextToken === undefined ? 0 : resumeIndex(items, decodeToken(options.nextToken, options), options);
  const page = items.slice(start, start + options.pageSize);
  const more = start + options.pageSize < items.length;
  return { page, nextToken: more ? encodeToken(options.list, options.keyOf(page[page.length - 1]!)) : undefined };
}

function resumeIndex<T>(items: readonly T[], after: PageKey, options: PageOptions<T>): number {
  const index = items.findIndex((item) => options.keyOf(item) === after);
  if (index >= 0) return index + 1;
  if (!options.sortedByKey) throw options.invalidToken();
  const next = items.findIndex((item) => options.keyOf(item) > after);
  return next < 0 ? items.length : next;
}

function encodeToken(list: string, after: PageKey): string {
  return Buffer.from(JSON.stringify({ list, after })).toString('base64url');
}

function decodeToken(token: string, { list, invalidToken }: { list: string; invalidToken: () => AwsServiceError }): PageKey {
  let body: { list?: unknown; after?: unknown } | undefined;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof body;
  } catch {
    throw invalidToken();
  }
  const after = body?.after;
  if (body?.list !== list || (typeof after !== 'string' && typeof after !== 'number')) throw invalidToken();
  return after;
}

/** The page size a list operation uses: the caller's, or the service default when absent or 0. */
export function pageSizeOf(requested: number | undefined, defaultSize: number): number {
  return requested && requested > 0 ? requested : defaultSize;
}
