/**
 * API Gateway HTTP API route selection: `{name}` matches one path segment, a trailing
 * `{name+}` matches the rest of the path, and when several routes match the most
 * specific wins: segment by segment a literal beats `{name}` beats `{name+}`, then an
 * exact method beats `ANY`. `$default` (osls `path: '*'`) catches what nothing else does.
 */

export interface RouteDefinition {
  method: string;
  /** `/v1/x/{id}`, `/files/{proxy+}`, or `*` / `$default` for the default route. */
  path: string;
}

export interface RouteMatch<R> {
  route: R;
  /** `GET /v1/x/{id}` or `$default`, as the event's routeKey. */
  routeKey: string;
  /** Absent when the route has no parameters, as in API Gateway's event. */
  pathParameters?: Record<string, string>;
}

type Segment = { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

interface CompiledRoute<R> {
  route: R;
  routeKey: string;
  method: string;
  segments: Segment[] | 'default';
}

const SPECIFICITY = { literal: 3, param: 2, greedy: 1 } as const;

export function routeKeyOf(route: RouteDefinition): string {
  return isDefaultPath(route.path) ? '$default' : `${route.method.toUpperCase()} ${route.path}`;
}

/** Compiles the routes once; throws on paths API Gateway would reject and on duplicates. */
export function createRouteMatcher<R extends RouteDefinition>(routes: readonly R[]): (method: string, path: string) => RouteMatch<R> | undefined {
  const compiled = routes.map(compileRoute);
  const seen = new Set<string>();
  for (const { routeKey } of compiled) {
    if (seen.has(routeKey)) throw new Error(`Duplicate route ${routeKey}`);
    seen.add(routeKey);
  }

  return (method, path) => {
    const requestSegments = path.slice(1).split('/');
    let best: { compiled: CompiledRoute<R>; score: number[]; parameters: Record<string, string> } | undefined;
    for (const candidate of compiled) {
      if (candidate.segments === 'default') continue;
      if (candidate.method !== 'ANY' && candidate.method !== method.toUpperCase()) continue;
      const parameters = matchSegments(candidate.segments, requestSegments);
      if (parameters === undefined) continue;
      const score = [...candidate.segments.map((segment) => SPECIFICITY[segment.kind]), candidate.method === 'ANY' ? 0 : 1];
      if (best === undefined || compareScores(score, best.score) > 0) best = { compiled: candidate, score, parameters };
    }
    if (best !== undefined) {
      const hasParameters = Object.keys(best.parameters).length > 0;
      return { route: best.compiled.route, routeKey: best.compiled.routeKey, ...(hasParameters ? { pathParameters: best.parameters } : {}) };
    }
    const fallback = compiled.find((candidate) => candidate.segments === 'default');
    return fallback === undefined ? undefined : { route: fallback.route, routeKey: '$default' };
  };
}

function compileRoute<R extends RouteDefinition>(route: R): CompiledRoute<R> {
  const method = route.method.toUpperCase() === '*' ? 'ANY' : route.method.toUpperCase();
  if (isDefaultPath(route.path)) return { route, routeKey: '$default', method: 'ANY', segments: 'default' };
  if (!route.path.startsWith('/')) throw new Error(`Route path must start with "/": ${route.path}`);
  const parts = route.path.slice(1).split('/');
  const segments = parts.map((part, index): Segment => {
    const variable = /^\{([A-Za-z0-9._:-]+)(\+?)\}$/.exec(part);
    if (variable === null) {
      if (/[{}]/.test(part)) throw new Error(`Route ${route.path}: "${part}" is not a literal segment or a {parameter}`);
      return { kind: 'literal', value: part };
    }
    const name = variable[1] ?? '';
    if (variable[2] !== '+') return { kind: 'param', name };
    if (index !== parts.length - 1) throw new Error(`Route ${route.path}: a greedy {${name}+} must be the last segment`);
    return { kind: 'greedy', name };
  });
  return { route, routeKey: `${method} ${route.path}`, method, segments };
}

function matchSegments(segments: Segment[], request: string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    if (segment.kind === 'greedy') {
      const rest = request.slice(index).join('/');
      if (rest === '') return undefined;
      parameters[segment.name] = rest;
      return parameters;
    }
    const value = request[index];
    if (value === undefined) return undefined;
    if (segment.kind === 'literal') {
      if (value !== segment.value) return undefined;
    } else {
      if (value === '') return undefined;
      parameters[segment.name] = value;
    }
  }
  return segments.length === request.length ? parameters : undefined;
}

function compareScores(a: number[], b: number[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function isDefaultPath(path: string): boolean {
  return path === '*' || path === '$default';
}
