/**
 * Runs Lambda handlers from an assembly's asset directories inside this process, the way the Node.js
 * Lambda runtime would: JSON in, JSON out, errors reported as `{errorType, errorMessage, trace}`,
 * the function's timeout enforced, its environment in `process.env` for the duration of the call.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import { format } from 'util';
import { ScaledClock } from './clock';

export interface LambdaFunctionSpec {
  readonly arn: string;
  readonly functionName: string;
  /** `file.export`, e.g. `index.onEvent`. */
  readonly handler: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly codeDir: string;
}

/** What the Lambda Invoke API reports for a handler error (FunctionError set). */
export interface LambdaErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: string[];
}

export type InvokeOutcome =
  | { readonly ok: true; readonly payload: unknown; readonly logs: string[] }
  | { readonly ok: false; readonly error: LambdaErrorPayload; readonly logs: string[] };

export interface LocalLambdaRuntimeOptions {
  readonly clock: ScaledClock;
  /** Added to every function's environment (endpoint overrides, fake credentials, region). */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** Receives each line the handler logs. */
  readonly onLog?: (functionName: string, line: string) => void;
}

type Handler = (event: unknown, context: unknown, callback?: (err: unknown, result?: unknown) => void) => unknown;

export class LocalLambdaRuntime {
  /** Loaded modules, by file: one copy per runtime, so module-level state never leaks between drivers. */
  private readonly modules = new Map<string, Record<string, unknown>>();
  private currentLogs: string[] | undefined;
  private currentFunction = '';

  constructor(private readonly options: LocalLambdaRuntimeOptions) {}

  async invoke(fn: LambdaFunctionSpec, event: unknown): Promise<InvokeOutcome> {
    const logs: string[] = [];
    const requestId = randomUUID();
    // The payload crosses a JSON boundary in Lambda; a handler must never see the caller's objects.
    const payload = JSON.parse(JSON.stringify(event ?? null));
    const restoreEnv = this.applyEnv(fn);
    this.currentLogs = logs;
    this.currentFunction = fn.functionName;
    const timeoutMs = this.options.clock.realMs(fn.timeoutSeconds * 1000);
    const deadline = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      const handler = this.loadHandler(fn);
      const context = {
        functionName: fn.functionName,
        functionVersion: '$LATEST',
        invokedFunctionArn: fn.arn,
        memoryLimitInMB: '128',
        awsRequestId: requestId,
        logGroupName: `/aws/lambda/${fn.functionName}`,
        logStreamName: `local/[$LATEST]${requestId.replace(/-/g, '')}`,
        callbackWaitsForEmptyEventLoop: true,
        // Remaining time in the function's own clock, so handlers that budget their work see sane numbers.
        getRemainingTimeInMillis: () => Math.max(0, Math.round((deadline - Date.now()) / this.options.clock.timeScale)),
      };
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutMarker()), timeoutMs);
      });
      const result = await Promise.race([callHandler(handler, payload, context), timedOut]);
      // JSON.stringify(undefined) is what Lambda turns into the payload `null`.
      const out = result === undefined ? null : JSON.parse(JSON.stringify(result));
      return { ok: true, payload: out, logs };
    } catch (e) {
      if (e instanceof TimeoutMarker) {
        return {
          ok: false,
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `${new Date().toISOString()} ${requestId} Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`,
          },
          logs,
        };
      }
      return { ok: false, error: toLambdaError(e), logs };
    } finally {
      clearTimeout(timer);
      this.currentLogs = undefined;
      restoreEnv();
    }
  }

  private applyEnv(fn: LambdaFunctionSpec): () => void {
    const region = this.options.extraEnv?.AWS_REGION ?? fn.arn.split(':')[3];
    const env: Record<string, string> = {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      LAMBDA_TASK_ROOT: fn.codeDir,
      _HANDLER: fn.handler,
      ...fn.environment,
      ...this.options.extraEnv,
    };
    const saved = new Map<string, string | undefined>();
    for (const [k, v] of Object.entries(env)) {
      saved.set(k, process.env[k]);
      process.env[k] = v;
    }
    return () => {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    };
  }

  private loadHandler(fn: LambdaFunctionSpec): Handler {
    const dot = fn.handler.lastIndexOf('.');
    if (dot <= 0) throw new Error(`Bad handler "${fn.handler}": expected file.export`);
    const base = path.join(fn.codeDir, fn.handler.slice(0, dot));
    const file = ['.js', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
    if (!file) throw new Error(`Runtime.ImportModuleError: Cannot find module '${fn.handler.slice(0, dot)}' in ${fn.codeDir}`);
    const exported = this.loadModule(file)[fn.handler.slice(dot + 1)];
    if (typeof exported !== 'function') throw new Error(`Runtime.HandlerNotFound: ${fn.handler} is undefined or not exported`);
    return exported as Handler;
  }

  /**
   * Compiles the module ourselves instead of `require()`: under Jest, `require.cache` cannot be cleared,
   * so a fresh copy per driver needs our own loader. Its console is ours, to capture output per invocation.
   */
  private loadModule(file: string): Record<string, unknown> {
    const cached = this.modules.get(file);
    if (cached) return cached;
    const source = fs.readFileSync(file, 'utf8').replace(/^#!.*/, '');
    const module = { exports: {} as Record<string, unknown> };
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const wrapper = new Function('exports', 'require', 'module', '__filename', '__dirname', 'console',
      `${source}\n//# sourceURL=${file}`);
    wrapper(module.exports, createRequire(file), module, file, path.dirname(file), this.captureConsole());
    this.modules.set(file, module.exports);
    return module.exports;
  }

  private captureConsole(): Console {
    const write = (...args: unknown[]) => {
      const line = format(...args);
      this.currentLogs?.push(line);
      this.options.onLog?.(this.currentFunction, line);
    };
    return Object.assign(Object.create(console) as Console, {
      log: write, info: write, warn: write, error: write, debug: write, trace: write,
    });
  }
}

class TimeoutMarker {}

function callHandler(handler: Handler, event: unknown, context: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback = (err: unknown, result?: unknown) => (err ? reject(err) : resolve(result));
    try {
      const r = handler(event, context, callback);
      if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then(resolve, reject);
      else if (handler.length < 3) resolve(r);
    } catch (e) {
      reject(e);
    }
  });
}

/** The Node.js Lambda runtime's error serialization: native errors keep their stack as `trace`. */
function toLambdaError(e: unknown): LambdaErrorPayload {
  if (e instanceof Error || (e && typeof e === 'object' && 'stack' in e && 'message' in e)) {
    const err = e as Error;
    return { errorType: err.name, errorMessage: err.message, trace: String(err.stack ?? '').split('\n') };
  }
  return { errorType: typeof e, errorMessage: String(e), trace: [] };
}
