// One Lambda execution environment: a worker thread with the function's own environment variables
// (its credentials among them) and its own copy of every module, like a Lambda container. It loads
// the handler once (the cold start) and then runs one invocation at a time, as Lambda does.
// Plain JavaScript, because it must load without a TypeScript loader; it registers tsx itself when
// it runs the sources rather than the packaged bundles.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

const { handlerFile, exportName, functionName, memoryLimitInMB, region, accountId, useTypeScriptLoader } = workerData;

// The function's clock is AWS's: the sandbox clock, which tests move forward by hours or days. A
// Lambda's `new Date()` and `Date.now()` read the world's time, so here they read the sandbox's,
// set from each invocation (the offset from real time). Timers and the remaining time stay real.
const RealDate = Date;
let clockOffsetMs = 0;
class SandboxDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + clockOffsetMs);
    else super(...args);
  }
  static now() {
    return RealDate.now() + clockOffsetMs;
  }
}
globalThis.Date = SandboxDate;

if (useTypeScriptLoader) {
  const { register } = await import('tsx/esm/api');
  register();
}

let handler;
let initError;
try {
  const module = await import(pathToFileURL(handlerFile).href);
  handler = module[exportName];
  if (typeof handler !== 'function') initError = new Error(`${handlerFile} does not export a function ${exportName}`);
} catch (error) {
  initError = error instanceof Error ? error : new Error(String(error));
}

parentPort.on('message', async ({ requestId, payload, deadlineMs, clockOffsetMs: offset }) => {
  clockOffsetMs = offset ?? 0;
  if (initError) {
    // Lambda reports an init failure as Runtime.ImportModuleError / the error thrown at init.
    parentPort.postMessage({ requestId, error: { errorType: 'Runtime.ImportModuleError', errorMessage: initError.message } });
    return;
  }
  const context = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    memoryLimitInMB: String(memoryLimitInMB),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - RealDate.now()),
  };
  try {
    // Lambda hands the handler a parsed copy of the JSON payload and serialises what it returns.
    const result = await handler(JSON.parse(payload), context);
    parentPort.postMessage({ requestId, result: result === undefined ? null : JSON.stringify(result) });
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    parentPort.postMessage({ requestId, error: { errorType: failure.name || 'Error', errorMessage: failure.message, stack: failure.stack } });
  }
});

parentPort.postMessage({ ready: true });
