/**
 * `status --watch` (and `request --watch`): polls the request until its status is final and shows
 * the progress. On a terminal: a ✔ line per finished step and an ora spinner on the current one,
 * with who must act and by when. Anywhere else (a pipe, a CI log): the same as plain lines, the
 * current step printed once each time it changes, never a spinner. `--json`: nothing until the end.
 */
import type { Ora } from 'ora';
import type { ApiClient } from './api.ts';
import { CliFailure } from './api-error.ts';
import { watchUpdate, type WatchedView, type WatchUpdate } from './progress.ts';

export interface WatchOptions {
  intervalMs: number;
  /** How to show the progress: a spinner (a terminal), plain lines, or nothing (`--json`). */
  display: 'spinner' | 'plain' | 'none';
  write?: (text: string) => void;
}

/** Consecutive failed polls (the API unreachable or answering 5xx) a watch rides out before it gives up. */
const MAX_FAILED_POLLS = 5;

interface Display {
  show(update: WatchUpdate): void;
  /** Stops the spinner (before an error is printed). */
  stop(): void;
}

function plainDisplay(write: (text: string) => void): Display {
  let shown: string | undefined;
  return {
    show(update) {
      for (const line of update.finished) write(`✔ ${line}\n`);
      if (update.current !== undefined && update.current !== shown) {
        shown = update.current;
        write(`… ${update.current}\n`);
      }
      if (update.end) {
        write(`${update.end.symbol} ${update.end.text}\n`);
        for (const note of update.end.notes) write(`${note}\n`);
      }
    },
    stop() {},
  };
}

async function spinnerDisplay(): Promise<Display> {
  const { default: ora } = await import('ora');
  // stdout, where the rest of the human output goes; the spinner restores the cursor on Ctrl-C.
  const spinner: Ora = ora({ stream: process.stdout, discardStdin: false });
  return {
    show(update) {
      for (const line of update.finished) spinner.stopAndPersist({ symbol: '✔', text: line });
      if (update.end) {
        spinner.stopAndPersist({ symbol: update.end.symbol, text: update.end.text });
        for (const note of update.end.notes) process.stdout.write(`${note}\n`);
        return;
      }
      if (update.current !== undefined) {
        spinner.text = update.current;
        if (!spinner.isSpinning) spinner.start();
      }
    },
    stop() {
      if (spinner.isSpinning) spinner.stop();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls GET /v1/connection-requests/{id} every `intervalMs` until the request ends.
 *
 * @returns the last view and the exit code (0 COMPLETED or DECOMMISSIONED, 3 otherwise).
 */
export async function watchRequest(api: ApiClient, requestId: string, options: WatchOptions): Promise<{ view: WatchedView; exitCode: 0 | 3 }> {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const display: Display =
    options.display === 'spinner' ? await spinnerDisplay() : options.display === 'plain' ? plainDisplay(write) : { show() {}, stop() {} };
  let seen = 0;
  let failedPolls = 0;
  try {
    for (;;) {
      let view: WatchedView;
      try {
        view = await api.call<WatchedView>('GET', `/v1/connection-requests/${encodeURIComponent(requestId)}`);
        failedPolls = 0;
      } catch (error) {
        // A blip (a restart of the local system, a 503) is ridden out; a refusal (4xx) ends the watch.
        const transient = error instanceof CliFailure && (error.json.error.kind === 'unreachable' || (error.json.error.status ?? 0) >= 500);
        if (!transient || ++failedPolls >= MAX_FAILED_POLLS) throw error;
        await sleep(options.intervalMs);
        continue;
      }
      // Relative deadlines ("in 6d 23h") only on the spinner: plain lines change only when the request does.
      const update = watchUpdate(view, seen, options.display === 'spinner' ? new Date() : undefined);
      seen = update.seen;
      display.show(update);
      if (update.end) return { view, exitCode: update.end.exitCode };
      await sleep(options.intervalMs);
    }
  } finally {
    display.stop();
  }
}
