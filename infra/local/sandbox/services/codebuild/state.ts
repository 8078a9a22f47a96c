import type { SandboxStore } from '../../store.ts';

/** What the sandbox keeps for CodeBuild in one account and Region: projects, as plain JSON. */
export interface CodeBuildState {
  projects: StoredProject[];
}

export interface StoredProject {
  name: string;
  arn: string;
  description?: string;
  source: StoredSource;
  /** Absent when the project has none (CreateProject without secondarySources). */
  secondarySources?: StoredSource[];
  artifacts: { type: string; location?: string };
  environment: { type: string; image: string; computeType: string };
  /** Always a role ARN: CodeBuild expands a bare role name. */
  serviceRole: string;
  timeoutInMinutes: number;
  queuedTimeoutInMinutes: number;
  tags: { key?: string; value?: string }[];
  /** Epoch seconds. */
  created: number;
  lastModified: number;
}

export interface StoredSource {
  type: string;
  location?: string;
  buildspec?: string;
  /** How CodeBuild reaches the repository: for CODECONNECTIONS, `resource` is the connection's ARN. */
  auth?: { type: string; resource?: string };
  /** Names a secondary source (required there). */
  sourceIdentifier?: string;
}

export const SLICE = 'codebuild';

/** Projects per account and Region (AWS's default quota). */
export const PROJECT_QUOTA = 5000;

export function stateFor(store: SandboxStore, accountId: string, region: string): CodeBuildState {
  return store.slice<CodeBuildState>(SLICE, [accountId, region], () => ({ projects: [] }));
}

export function existingState(store: SandboxStore, accountId: string, region: string): CodeBuildState | undefined {
  return store.slicesOf<CodeBuildState>(SLICE).find(({ scope }) => scope[0] === accountId && scope[1] === region)?.data;
}

/** A project by name or ARN (BatchGetProjects accepts either). */
export function findProject(state: CodeBuildState | undefined, nameOrArn: string): StoredProject | undefined {
  return state?.projects.find((project) => project.name === nameOrArn || project.arn === nameOrArn);
}

export function projectArn(region: string, accountId: string, name: string): string {
  return `arn:aws:codebuild:${region}:${accountId}:project/${name}`;
}

/** CodeBuild takes the service role as a name or an ARN and stores the ARN. */
export function serviceRoleArn(accountId: string, role: string): string {
  return role.startsWith('arn:') ? role : `arn:aws:iam::${accountId}:role/${role}`;
}
