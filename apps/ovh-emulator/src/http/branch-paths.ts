// Every API route is served under /1.0, its /v1 alias and /v2 (ovh-api.md §1.7).
export const API_BRANCHES = ['1.0', 'v1', 'v2'] as const;

export function branches(...paths: string[]): string[] {
  return API_BRANCHES.flatMap((branch) => paths.map((path) => `${branch}/${path}`));
}
