import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { FunctionOutputLine } from './function-output.ts';

/**
 * Lambda, locally: each function runs in execution environments of its own (worker threads), each
 * with the function's environment variables (and so its own credentials) and its own module
 * instances, one invocation at a time. An invocation that runs past the function's timeout is ended
 * as Lambda ends it: the environment is destroyed mid-flight (nothing after that point happens) and
 * the caller gets `Sandbox.Timedout`. The next invocation starts a fresh environment (a cold start).
 */
export interface LambdaFunctionSpec {
  /** The key under `functions:` in serverless.yml. */
  name: string;
  functionName: string;
  handlerFile: string;
  exportName: string;
  timeoutSeconds: number;
  memoryLimitInMB: number;
  environment: Record<string, string>;
  /** The sources need the TypeScript loader; the packaged bundles do not. */
  typescript: boolean;
}

/** What Lambda reports when the handler fails, times out or cannot start. */
export class LambdaInvocationError extends Error {
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
  ) {
    super(errorMessage);
    this.name = errorType;
  }
}

interface Environment {
  worker: Worker;
  ready: Promise<void>;
  busy: boolean;
  dead: boolean;
  pending?: { requestId: string; resolve: (value: unknown) => void; reject: (error: Error) => void };
}

const WORKER_FILE = new URL('./lambda-worker.mjs', import.meta.url);

export class LocalLambda {
  private readonly environments = new Map<string, Environment[]>();
  private readonly waiting = new Map<string, (() => void)[]>();
  private closed = false;
  private running = 0;

  /** Invocations running now (their environments busy). */
  get inFlight(): number {
    return this.running;
  }

  constructor(
    private readonly functions: Map<string, LambdaFunctionSpec>,
    private readonly context: {
      region: string;
      accountId: string;
      maxEnvironmentsPerFunction?: number;
      /** AWS's time: the sandbox clock. The functions' Date follows it, as a Lambda's clock follows the world's. */
      nowMs?: () => number;
      /**
       * Each line the functions print (stdout and stderr), as Lambda hands them to CloudWatch Logs.
       * Without it their output goes straight to this process's stdout and stderr.
       */
      output?: (output: FunctionOutputLine) => void;
    },
  ) {}

  has(name: string): boolean {
    return this.functions.has(name);
  }

  /** The file a function's environments load: its TypeScript source, or its packaged bundle. */
  handlerFileOf(name: string): string | undefined {
    return this.functions.get(name)?.handlerFile;
  }

  /** Invokes the function with this JSON-serialisable event; resolves with its (JSON round-tripped) result. */
  async invoke(name: string, event: unknown): Promise<unknown> {
    const spec = this.functions.get(name);
    if (!spec) throw new Error(`no local function ${name}`);
    this.running++;
    try {
      const environment = await this.acquire(spec);
      const requestId = randomUUID();
      try {
        return await this.run(spec, environment, requestId, event);
      } finally {
        environment.busy = false;
        this.release(spec.name);
      }
    } finally {
      this.running--;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.environments.values()].flat();
    this.environments.clear();
    await Promise.all(all.map((environment) => environment.worker.terminate()));
  }

  private async acquire(spec: LambdaFunctionSpec): Promise<Environment> {
    for (;;) {
      if (this.closed) throw new LambdaInvocationError('Lambda.ServiceException', 'the local runtime is shutting down');
      const pool = (this.environments.get(spec.name) ?? []).filter((environment) => !environment.dead);
      this.environments.set(spec.name, pool);
      const idle = pool.find((environment) => !environment.busy);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (pool.length < (this.context.maxEnvironmentsPerFunction ?? 2)) {
        const environment = this.start(spec);
        environment.busy = true;
        pool.push(environment);
        return environment;
      }
      // Every environment is busy: wait for one, as a caller behind reserved concurrency would.
      await new Promise<void>((resolve) => this.waiting.set(spec.name, [...(this.waiting.get(spec.name) ?? []), resolve]));
    }
  }

  private release(name: string): void {
    const next = this.waiting.get(name)?.shift();
    next?.();
  }

  private start(spec: LambdaFunctionSpec): Environment {
    const output = this.context.output;
    const worker = new Worker(WORKER_FILE, {
      env: spec.environment,
      stdout: output !== undefined,
      stderr: output !== undefined,
      workerData: {
        handlerFile: spec.handlerFile,
        exportName: spec.exportName,
        functionName: spec.functionName,
        memoryLimitInMB: spec.memoryLimitInMB,
        region: this.context.region,
        accountId: this.context.accountId,
        useTypeScriptLoader: spec.typescript,
      },
    });
    worker.unref();
    if (output) {
      forwardLines(worker.stdout, (line) => output({ function: spec.name, stream: 'stdout', line }));
      forwardLines(worker.stderr, (line) => output({ function: spec.name, stream: 'stderr', line }));
    }
    const environment: Environment = { worker, busy: false, dead: false, ready: Promise.resolve() };
    environment.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: { ready?: boolean }) => {
        if (message.ready) {
          worker.off('message', onMessage);
          resolve();
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', () => reject(new LambdaInvocationError('Runtime.ExitError', `${spec.functionName}: the runtime exited during init`)));
    });
    environment.ready.catch(() => undefined);
    worker.on('message', (message: { requestId?: string; result?: string | null; error?: { errorType: string; errorMessage: string } }) => {
      const pending = environment.pending;
      if (!pending || message.requestId !== pending.requestId) return;
      environment.pending = undefined;
      if (message.error) pending.reject(new LambdaInvocationError(message.error.errorType, message.error.errorMessage));
      else pending.resolve(message.result === null || message.result === undefined ? null : (JSON.parse(message.result) as unknown));
    });
    worker.on('error', (error) => {
      // An uncaught exception or unhandled rejection ends the environment, as it ends a Lambda runtime.
      environment.dead = true;
      environment.pending?.reject(new LambdaInvocationError('Runtime.ExitError', `${spec.functionName}: ${error.message}`));
      environment.pending = undefined;
    });
    worker.on('exit', () => {
      environment.dead = true;
      environment.pending?.reject(new LambdaInvocationError('Runtime.ExitError', `${spec.functionName}: the runtime exited`));
      environment.pending = undefined;
    });
    return environment;
  }

  private async run(spec: LambdaFunctionSpec, environment: Environment, requestId: string, event: unknown): Promise<unknown> {
    // Lambda's timeout covers the invocation, not the cold start (init has its own 10 s budget).
    await environment.ready.catch((error: unknown) => {
      environment.dead = true;
      throw error instanceof LambdaInvocationError ? error : new LambdaInvocationError('Runtime.ImportModuleError', String(error));
    });
    const timeoutMs = spec.timeoutSeconds * 1000;
    const deadlineMs = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<unknown>((resolve, reject) => {
        environment.pending = { requestId, resolve, reject };
        timer = setTimeout(() => {
          if (environment.pending?.requestId !== requestId) return;
          environment.pending = undefined;
          environment.dead = true;
          void environment.worker.terminate();
          reject(new LambdaInvocationError('Sandbox.Timedout', `RequestId: ${requestId} Error: Task timed out after ${spec.timeoutSeconds.toFixed(2)} seconds`));
        }, timeoutMs);
        // Read at the start of each invocation: a clock moved since the last one is seen by the next.
        const clockOffsetMs = this.context.nowMs ? this.context.nowMs() - Date.now() : 0;
        environment.worker.postMessage({ requestId, payload: JSON.stringify(event ?? null), deadlineMs, clockOffsetMs });
      });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Calls `deliver` with each whole line the stream carries (the last one even without its newline). */
function forwardLines(stream: Readable, deliver: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    for (const line of lines) deliver(line);
  });
  stream.on('end', () => {
    if (pending !== '') deliver(pending);
    pending = '';
  });
}
