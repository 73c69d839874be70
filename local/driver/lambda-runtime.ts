/**
 * Runs Lambda handlers from an assembly's code directories inside this process, the way the Node.js Lambda
 * runtime would: JSON in, JSON out, errors reported as `{errorType, errorMessage, trace}`, the function's timeout
 * enforced, and each function in a sandbox of its own:
 *
 * - Modules are compiled by our own CommonJS loader (not `require`, whose cache Jest does not let us clear), once
 *   per (function ARN, file): module state survives between invocations of one function (a warm start) but is
 *   never shared with another function. A change of the function's configuration starts a fresh sandbox, as a
 *   Lambda configuration update does.
 * - Relative requires (`./cfn-response`) load through the same loader; a few bare specifiers are replaced by the
 *   local services (`substitutes`); anything else (packages, absolute paths) is Node's `require`, and runs outside
 *   the sandbox: it sees the real process.env, not the invocation's.
 * - Each module gets `process`, `console` and `Date` as wrapper parameters: `process.env` is the *current
 *   invocation's* environment (held in an AsyncLocalStorage, so concurrent invocations never see each other's),
 *   `console` writes to the current invocation's log, `Date` is the driver's clock.
 */
import { AsyncLocalStorage } from 'async_hooks';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import { format } from 'util';
import { VirtualClock } from './clock';
import { CONSOLE_LEVELS, keepsLine, LoggingSettings, LogLevel, LogLine } from './logs';

export interface LambdaFunctionSpec {
  readonly arn: string;
  readonly functionName: string;
  /** `file.export`, e.g. `index.onEvent`. */
  readonly handler: string;
  /** The function's own `Environment.Variables` (the runtime adds its reserved variables at invocation). */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly codeDir: string;
  /** The execution role's ARN (the `Role` property). */
  readonly roleArn?: string;
  readonly logging: LoggingSettings;
}

/** What the Lambda Invoke API reports for a handler error (FunctionError set). */
export interface LambdaErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: string[];
}

export type RunOutcome =
  | { readonly ok: true; readonly requestId: string; readonly payload: string; readonly logs: LogLine[] }
  | { readonly ok: false; readonly requestId: string; readonly error: LambdaErrorPayload; readonly logs: LogLine[] };

export interface LocalLambdaRuntimeOptions {
  readonly clock: VirtualClock;
  /** Real milliseconds per millisecond of a function's timeout. Default 1. */
  readonly timeScale?: number;
  /** Modules handed out instead of `require(specifier)`. */
  readonly substitutes?: Readonly<Record<string, unknown>>;
  /** Receives every captured line (kept by Lambda or not), as it is printed. */
  readonly onLog?: (line: LogLine) => void;
}

/** What the sandbox knows about the invocation running in the current async context. */
export interface InvocationScope {
  readonly fn: LambdaFunctionSpec;
  readonly env: Record<string, string>;
  readonly requestId: string;
  readonly logs: LogLine[];
  /** Set when Lambda considers the invocation over (returned, failed or timed out). */
  ended: boolean;
  /** Lets the clock jump again (the invocation no longer counts as work in flight); idempotent. */
  release: () => void;
}

interface Sandbox {
  readonly configuration: string;
  readonly modules: Map<string, { exports: Record<string, unknown> }>;
}

type Handler = (event: unknown, context: unknown, callback?: (err: unknown, result?: unknown) => void) => unknown;

export class LocalLambdaRuntime {
  private readonly scopes = new AsyncLocalStorage<InvocationScope>();
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly timeScale: number;

  constructor(private readonly options: LocalLambdaRuntimeOptions) {
    this.timeScale = options.timeScale ?? 1;
    if (!(this.timeScale > 0)) throw new Error(`timeScale must be positive, got ${this.timeScale}`);
  }

  /** The invocation the calling code runs in, if any. */
  public current(): InvocationScope | undefined {
    return this.scopes.getStore();
  }

  /**
   * Runs the handler once with `env` as its whole environment. The payload is JSON text, as on the wire; the
   * result is JSON text (`null` for undefined). Never throws for what the handler does: errors are the outcome.
   */
  public async run(fn: LambdaFunctionSpec, env: Record<string, string>, payloadJson: string): Promise<RunOutcome> {
    const requestId = randomUUID();
    const scope: InvocationScope = { fn, env: { ...env }, requestId, logs: [], ended: false, release: this.options.clock.enter() };
    const timeoutMs = fn.timeoutSeconds * 1000 * this.timeScale;
    const deadline = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await this.scopes.run(scope, async () => {
        try {
          const handler = this.loadHandler(fn);
          const context = {
            functionName: fn.functionName,
            functionVersion: '$LATEST',
            invokedFunctionArn: fn.arn,
            memoryLimitInMB: '128',
            awsRequestId: requestId,
            logGroupName: fn.logging.logGroup,
            logStreamName: `local/[$LATEST]${requestId.replace(/-/g, '')}`,
            callbackWaitsForEmptyEventLoop: true,
            // In the function's own time, so handlers that budget their work see sane numbers.
            getRemainingTimeInMillis: () => Math.max(0, Math.round((deadline - Date.now()) / this.timeScale)),
          };
          const timedOut = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new TimeoutMarker()), timeoutMs);
          });
          const result = await Promise.race([callHandler(handler, JSON.parse(payloadJson), context), timedOut]);
          // JSON.stringify(undefined) is what Lambda turns into the payload `null`.
          const payload = result === undefined ? 'null' : JSON.stringify(result);
          return { ok: true as const, requestId, payload, logs: scope.logs };
        } catch (e) {
          if (e instanceof TimeoutMarker) {
            const at = new this.options.clock.Date().toISOString();
            const error = {
              errorType: 'Sandbox.Timedout',
              errorMessage: `${at} ${requestId} Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`,
            };
            return { ok: false as const, requestId, error, logs: scope.logs };
          }
          return { ok: false as const, requestId, error: toLambdaError(e), logs: scope.logs };
        }
      });
    } finally {
      // A handler still running after its timeout is frozen in Lambda; here it runs on, but no longer holds the clock.
      clearTimeout(timer);
      scope.ended = true;
      scope.release();
    }
  }

  /**
   * Runs `wait` (a sleep on the driver's clock inside an invocation, such as an SDK waiter's delay) with the
   * invocation counted as idle, so that the clock can jump over it.
   */
  public async idle<T>(wait: () => Promise<T>): Promise<T> {
    const scope = this.current();
    if (!scope || scope.ended) return wait();
    scope.release();
    try {
      return await wait();
    } finally {
      if (!scope.ended) scope.release = this.options.clock.enter();
    }
  }

  private loadHandler(fn: LambdaFunctionSpec): Handler {
    const dot = fn.handler.lastIndexOf('.');
    if (dot <= 0) throw namedError('Runtime.MalformedHandlerName', `Bad handler ${fn.handler}: expected file.export`);
    const moduleName = fn.handler.slice(0, dot);
    const base = path.join(fn.codeDir, moduleName);
    const file = ['.js', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
    if (!file) throw namedError('Runtime.ImportModuleError', `Error: Cannot find module '${moduleName}'`);
    const exported = this.loadModule(this.sandboxOf(fn), file).exports[fn.handler.slice(dot + 1)];
    if (typeof exported !== 'function') throw namedError('Runtime.HandlerNotFound', `${fn.handler} is undefined or not exported`);
    return exported as Handler;
  }

  private sandboxOf(fn: LambdaFunctionSpec): Sandbox {
    const configuration = JSON.stringify(fn);
    const existing = this.sandboxes.get(fn.arn);
    if (existing?.configuration === configuration) return existing;
    const sandbox: Sandbox = { configuration, modules: new Map() };
    this.sandboxes.set(fn.arn, sandbox);
    return sandbox;
  }

  private loadModule(sandbox: Sandbox, file: string): { exports: Record<string, unknown> } {
    const cached = sandbox.modules.get(file);
    if (cached) return cached;
    const source = fs.readFileSync(file, 'utf8').replace(/^#!.*/, '');
    const module = { exports: {} as Record<string, unknown>, id: file, filename: file, loaded: false };
    // Registered before it runs, so a require cycle gets the partial exports, as Node's loader gives.
    sandbox.modules.set(file, module);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const wrapper = new Function('exports', 'require', 'module', '__filename', '__dirname', 'process', 'console', 'Date',
      `${source}\n//# sourceURL=${file}`);
    wrapper(module.exports, this.requireFor(sandbox, file), module, file, path.dirname(file),
      this.sandboxProcess(), this.sandboxConsole(), this.options.clock.Date);
    module.loaded = true;
    return module;
  }

  private requireFor(sandbox: Sandbox, file: string): NodeJS.Require {
    const nodeRequire = createRequire(file);
    const substitutes = this.options.substitutes ?? {};
    const sandboxRequire = (specifier: string): unknown => {
      if (Object.prototype.hasOwnProperty.call(substitutes, specifier)) return substitutes[specifier];
      if (specifier.startsWith('./') || specifier.startsWith('../')) {
        const resolved = nodeRequire.resolve(specifier);
        if (resolved.endsWith('.json')) return JSON.parse(fs.readFileSync(resolved, 'utf8'));
        if (resolved.endsWith('.js') || resolved.endsWith('.cjs')) return this.loadModule(sandbox, resolved).exports;
      }
      return nodeRequire(specifier);
    };
    const { resolve, extensions } = nodeRequire;
    return Object.assign(sandboxRequire, { resolve, extensions, cache: {}, main: undefined }) as NodeJS.Require;
  }

  /**
   * `process` with `env` read from the current invocation, and `emitWarning` writing to the invocation's log (a
   * function's stderr goes to its log group in Lambda); everything else is the real process.
   */
  private sandboxProcess(): NodeJS.Process {
    const scopes = this.scopes;
    const warn = this.write('WARN');
    const emitWarning = (warning: string | Error, type?: string | { type?: string }) => {
      const name = warning instanceof Error ? warning.name : (typeof type === 'string' ? type : type?.type) ?? 'Warning';
      warn(`(node:${process.pid}) ${name}: ${warning instanceof Error ? warning.message : warning}`);
    };
    const bound = new Map<PropertyKey, { original: unknown; bound: unknown }>();
    return new Proxy(process, {
      get(target, property) {
        if (property === 'env') return scopes.getStore()?.env ?? {};
        if (property === 'emitWarning') return emitWarning;
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        // Methods run against the real process (keeping their own properties, such as hrtime.bigint).
        const known = bound.get(property);
        if (known?.original === value) return known.bound;
        const fn = Object.assign((value as (...a: unknown[]) => unknown).bind(target), value);
        bound.set(property, { original: value, bound: fn });
        return fn;
      },
      set(target, property, value) {
        if (property === 'env') return false;
        return Reflect.set(target, property, value, target);
      },
    });
  }

  /** Writes a line of this level to the current invocation's log. */
  private write(level: LogLevel): (...args: unknown[]) => void {
    return (...args: unknown[]) => {
      const scope = this.scopes.getStore();
      // A line printed after the invocation ended (a handler still running after its timeout) is lost, as in Lambda.
      if (!scope || scope.ended) return;
      const line: LogLine = {
        timestamp: new this.options.clock.Date(),
        functionName: scope.fn.functionName,
        logGroup: scope.fn.logging.logGroup,
        requestId: scope.requestId,
        level,
        message: format(...args),
        kept: keepsLine(scope.fn.logging, level),
      };
      scope.logs.push(line);
      this.options.onLog?.(line);
    };
  }

  /** A console whose lines go to the current invocation, with the level Lambda's JSON format gives them. */
  private sandboxConsole(): Console {
    const methods = Object.fromEntries(Object.entries(CONSOLE_LEVELS).map(([method, level]) => [method, this.write(level)]));
    return Object.assign(Object.create(console) as Console, methods);
  }
}

class TimeoutMarker {}

function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

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
