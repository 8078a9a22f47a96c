/**
 * Reads GHES's public meta endpoint (`/api/v3/meta`, no authentication needed) to learn its
 * version. Returns undefined when the server cannot be reached from here (common: GHES often sits
 * in a private network the backend cannot see), which pre-flight notes and moves past.
 */
export async function fetchGhesMeta(providerEndpoint: string, timeoutMs = 3000): Promise<unknown | undefined> {
  try {
    const response = await fetch(`${providerEndpoint}/api/v3/meta`, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
      redirect: 'error',
    });
    if (!response.ok) return undefined;
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}
