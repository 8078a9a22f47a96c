import { useMemo } from 'preact/hooks';
import decommission from '../../../statemachines/decommission.asl.yml';
import hostUpdate from '../../../statemachines/host-update.asl.yml';
import provisioning from '../../../statemachines/provisioning.asl.yml';
import type { WorkflowProgress } from '../../../functions/request/workflow-progress.ts';
import { edgeKey, layoutGraph, lightGraph, stateGraph, type NodeLight } from './graph.ts';

const DEFINITIONS = { provisioning, decommission, 'host-update': hostUpdate } as const;

const LIGHT_WORDS: Record<NodeLight, string> = { current: 'current step', visited: 'done', failed: 'where it failed', idle: 'not reached' };

/** The workflow's state machine, drawn from its ASL, with the path taken and the current state lit. */
export function WorkflowDiagram({ progress }: { progress: WorkflowProgress | undefined }) {
  const workflow = progress?.workflow ?? 'provisioning';
  const layout = useMemo(() => {
    const graph = stateGraph(DEFINITIONS[workflow]);
    return { graph, placed: layoutGraph(graph) };
  }, [workflow]);
  const light = lightGraph(layout.graph, progress);
  const { placed } = layout;
  const current = progress?.current;

  return (
    <figure class="diagram">
      <figcaption>
        The {workflow} workflow{current ? `: now at ${current}` : progress?.executionStatus ? `: ${progress.executionStatus.toLowerCase().replace('_', ' ')}` : ': not started yet'}.
        <span class="legend">
          <span class="swatch current" aria-hidden="true" /> current <span class="swatch visited" aria-hidden="true" /> done <span class="swatch failed" aria-hidden="true" /> failed
        </span>
      </figcaption>
      <div class="diagram-scroll" tabIndex={0} role="region" aria-label="Workflow graph (scrolls)">
        <svg width={placed.width} height={placed.height} viewBox={`0 0 ${placed.width} ${placed.height}`} role="img" aria-label={`Graph of the ${workflow} workflow${current ? `, current step ${current}` : ''}`}>
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" fill="#5b6472" />
            </marker>
            <marker id="arrow-taken" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" fill="#0b5cad" />
            </marker>
          </defs>
          {placed.edges.map((edge) => {
            const taken = light.edgesTaken.has(edgeKey(edge.from, edge.to));
            return (
              <polyline
                key={edgeKey(edge.from, edge.to)}
                class={`edge ${edge.kind}${taken ? ' taken' : ''}`}
                points={edge.points.map((point) => `${point.x},${point.y}`).join(' ')}
                marker-end={taken ? 'url(#arrow-taken)' : 'url(#arrow)'}
              />
            );
          })}
          {placed.nodes.map((node) => {
            const state = light.nodes.get(node.id) ?? 'idle';
            return (
              <g key={node.id} class={`node ${state} ${node.type.toLowerCase()}`} data-state={node.id} data-light={state} transform={`translate(${node.x - node.width / 2},${node.y - node.height / 2})`}>
                <title>{`${node.id} (${node.type}): ${LIGHT_WORDS[state]}`}</title>
                <rect width={node.width} height={node.height} rx={node.type === 'Choice' ? 16 : 6} />
                <text x={node.width / 2} y={node.height / 2 + 4} text-anchor="middle">
                  {node.id}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
    </figure>
  );
}
