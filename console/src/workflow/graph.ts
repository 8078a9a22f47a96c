import dagre from '@dagrejs/dagre';

/**
 * A state machine drawn as a graph: its states and every transition ASL names (Next, each Choice
 * rule, Default, each Catch), laid out top to bottom, with the path an execution took and the
 * state it is in lit. Pure: the console's diagram only draws what this returns.
 */

export type TransitionKind = 'next' | 'choice' | 'default' | 'catch';

export interface StateNode {
  id: string;
  type: string;
}

export interface Transition {
  from: string;
  to: string;
  kind: TransitionKind;
}

export interface StateGraph {
  startAt: string;
  nodes: StateNode[];
  edges: Transition[];
}

interface AslState {
  Type?: string;
  Next?: string;
  Default?: string;
  End?: boolean;
  Choices?: { Next?: string }[];
  Catch?: { Next?: string }[];
}

/** The top-level states and transitions of an ASL definition (as statemachines/*.asl.yml hold it). */
export function stateGraph(definition: { StartAt?: string; States?: Record<string, AslState> }): StateGraph {
  const states = definition.States ?? {};
  const nodes = Object.entries(states).map(([id, state]) => ({ id, type: state.Type ?? 'Task' }));
  const edges: Transition[] = [];
  const add = (from: string, to: string | undefined, kind: TransitionKind) => {
    // One arrow per pair: a Choice with two rules to the same state is one way there.
    if (to !== undefined && to in states && !edges.some((edge) => edge.from === from && edge.to === to)) edges.push({ from, to, kind });
  };
  for (const [id, state] of Object.entries(states)) {
    add(id, state.Next, 'next');
    for (const choice of state.Choices ?? []) add(id, choice.Next, 'choice');
    add(id, state.Default, 'default');
    for (const handler of state.Catch ?? []) add(id, handler.Next, 'catch');
  }
  return { startAt: definition.StartAt ?? nodes[0]?.id ?? '', nodes, edges };
}

export type NodeLight = 'current' | 'visited' | 'failed' | 'idle';

export interface Progress {
  steps: { state: string }[];
  current?: string | undefined;
  executionStatus?: string | undefined;
}

/** How each state and transition is lit: the current state, the states and transitions taken, the rest idle. */
export function lightGraph(graph: StateGraph, progress: Progress | undefined): { nodes: Map<string, NodeLight>; edgesTaken: Set<string> } {
  const nodes = new Map<string, NodeLight>(graph.nodes.map((node) => [node.id, 'idle']));
  const edgesTaken = new Set<string>();
  const path = progress?.steps.map((step) => step.state) ?? [];
  path.forEach((state, index) => {
    nodes.set(state, 'visited');
    const next = path[index + 1];
    if (next !== undefined) edgesTaken.add(edgeKey(state, next));
  });
  const last = path.at(-1);
  if (progress?.current !== undefined) nodes.set(progress.current, 'current');
  else if (last !== undefined && progress?.executionStatus !== undefined && !['RUNNING', 'SUCCEEDED'].includes(progress.executionStatus)) nodes.set(last, 'failed');
  return { nodes, edgesTaken };
}

export function edgeKey(from: string, to: string): string {
  return `${from}->${to}`;
}

export interface PlacedNode extends StateNode {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge extends Transition {
  points: { x: number; y: number }[];
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

const CHARACTER_WIDTH = 7.5;
const NODE_HEIGHT = 34;

/** Positions from dagre (x, y are each node's centre), as the Step Functions console lays a workflow out: top to bottom. */
export function layoutGraph(graph: StateGraph): GraphLayout {
  const layout = new dagre.graphlib.Graph({ multigraph: false });
  layout.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 36, marginx: 8, marginy: 8 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) layout.setNode(node.id, { width: Math.round(node.id.length * CHARACTER_WIDTH + 28), height: NODE_HEIGHT });
  for (const edge of graph.edges) layout.setEdge(edge.from, edge.to);
  dagre.layout(layout);
  const size = layout.graph();
  return {
    width: Math.ceil(size.width ?? 0),
    height: Math.ceil(size.height ?? 0),
    nodes: graph.nodes.map((node) => {
      const placed = layout.node(node.id);
      return { ...node, x: placed.x, y: placed.y, width: placed.width, height: placed.height };
    }),
    edges: graph.edges.map((edge) => ({ ...edge, points: layout.edge(edge.from, edge.to).points ?? [] })),
  };
}
