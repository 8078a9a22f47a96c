import { pageSizeOf, paginate } from '../pagination.ts';
import { validationError } from './errors.ts';

/** IAM's default page size when MaxItems is omitted. */
const DEFAULT_MAX_ITEMS = 100;

export interface Page<T> {
  items: T[];
  isTruncated: boolean;
  /** Present only when truncated, as in IAM's responses. */
  marker?: string;
}

/** IAM's Marker/MaxItems paging over a list ordered by name. */
export function paginateByName<T>(items: T[], nameOf: (item: T) => string, marker: string | undefined, maxItems?: number): Page<T> {
  const sorted = [...items].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
  const { page, nextToken } = paginate(sorted, {
    list: 'iam',
    keyOf: nameOf,
    sortedByKey: true,
    pageSize: pageSizeOf(maxItems, DEFAULT_MAX_ITEMS),
    nextToken: marker,
    invalidToken: () => validationError('Invalid Marker.'),
  });
  return nextToken ? { items: page, isTruncated: true, marker: nextToken } : { items: page, isTruncated: false };
}
