import { AwsServiceError } from '../errors.ts';

/**
 * Opaque NextToken paging over items kept in creation order. The token names the sequence number
 * of the last item returned, so deletions between pages neither skip nor repeat items.
 */
export function paginate<T extends { seq: number }>(
  items: readonly T[],
  { maxResults, nextToken, defaultPageSize, invalidToken }: {
    maxResults: number | undefined;
    nextToken: string | undefined;
    defaultPageSize: number;
    invalidToken: () => AwsServiceError;
  },
): { page: T[]; nextToken: string | undefined } {
  const after = nextToken === undefined ? -1 : decodeToken(nextToken, invalidToken);
  const pageSize = maxResults && maxResults > 0 ? maxResults : defaultPageSize;
  const ordered = [...items].sort((a, b) => a.seq - b.seq).filter((item) => item.seq > after);
  const page = ordered.slice(0, pageSize);
  const more = ordered.length > pageSize;
  return { page, nextToken: more ? encodeToken(page[page.length - 1]!.seq) : undefined };
}

function encodeToken(seq: number): string {
  return Buffer.from(JSON.stringify({ v: 1, after: seq })).toString('base64url');
}

function decodeToken(token: string, invalidToken: () => AwsServiceError): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: number; after?: unknown };
    if (parsed.v === 1 && typeof parsed.after === 'number' && Number.isInteger(parsed.after)) return parsed.after;
  } catch {
    // reported below
  }
  throw invalidToken();
}
