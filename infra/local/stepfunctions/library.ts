import './promise-polyfill.ts';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';

export { ExecutionError, StateMachine };
export type { RunOptions, StateMachineDefinition } from 'aws-local-stepfunctions';

/**
 * The library's `States.Timeout` error class, which it does not export.
 *
 * Why we need it: the library matches `States.TaskFailed` in Retry/Catch against every error *except*
 * instances of that class (AWS: TaskFailed matches everything but timeouts). Our task timeouts run on
 * the sandbox clock, so we raise them ourselves, and they must be instances of the same class or a
 * `Catch: [{ErrorEquals: ["States.TaskFailed"]}]` would wrongly catch them.
 *
 * How: a probe machine whose only Task times out after 1 ms of real time; the execution error's cause
 * is an instance. Done once per process, lazily.
 */
let timeoutErrorClass: Promise<new () => Error> | undefined;

export function libraryTimeoutErrorClass(): Promise<new () => Error> {
  timeoutErrorClass ??= probeTimeoutErrorClass();
  return timeoutErrorClass;
}

async function probeTimeoutErrorClass(): Promise<new () => Error> {
  const probe = new StateMachine(
    {
      StartAt: 'Probe',
      // A fraction of a second is not valid ASL, hence noValidate; the library turns it into 1 ms.
      States: { Probe: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:probe', TimeoutSeconds: 0.001, End: true } },
    },
    { validationOptions: { noValidate: true } },
  );
  const never = new Promise<never>(() => undefined);
  const run = probe.run(null, { overrides: { taskResourceLocalHandlers: { Probe: () => never } } });
  try {
    await run.result;
  } catch (error) {
    const cause = error instanceof ExecutionError ? error.cause : undefined;
    if (cause instanceof Error && cause.name === 'States.Timeout') return cause.constructor as new () => Error;
  }
  throw new Error('aws-local-stepfunctions no longer raises its States.Timeout error as expected; check library.ts');
}

/** One event of the library's `eventLogs` stream (the type is not exported by name). */
export type LibraryEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer Event> ? Event : never;
