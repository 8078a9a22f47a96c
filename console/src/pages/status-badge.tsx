import { isTerminal, statusLabel } from '../format.ts';

export function StatusBadge({ status }: { status: string }) {
  const tone = status === 'COMPLETED' || status === 'DECOMMISSIONED' ? 'ok' : isTerminal(status) ? 'bad' : status.startsWith('WAITING') ? 'wait' : 'busy';
  return (
    <span class={`badge ${tone}`} data-status={status}>
      {statusLabel(status)}
    </span>
  );
}
