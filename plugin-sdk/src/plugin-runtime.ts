/**
 * A plugin with its config validated and its `setup` done: runs hooks, counts the calls in
 * flight, and shuts down once. Shared by `serve` (behind sockets) and `testing` (in-process),
 * so that what a test sees is what the proxy gets.
 */
import type {
  CallParams,
  CallResult,
  CheckRequestParams,
  CheckRequestResult,
  LogRecordsParams,
  MetricsReport,
  PluginHookName,
  RateLimitParams,
  RateLimitResult,
} from '@mosn/ipc-protocol';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, checkDefinition, validateConfig } from './definition.js';
import type { AnyPluginDefinition } from './definition.js';
import { PLUGIN_SDK_ERROR_CODES, PluginSdkError, messageOf } from './errors.js';
import { checkCallResult, checkCheckRequestResult, checkNothing, checkRateLimitResult } from './hook-results.js';
import type { ResultCheck } from './hook-results.js';
import type { HostApi } from './host-api.js';
import type { HookContext, LogByteBatch, LogLineBatch, PluginLogger } from './types.js';

export interface PluginRuntimeOptions {
  readonly logger: PluginLogger;
  /** The plugin's configured name, used in messages and logs. */
  readonly name: string;
  readonly host: HostApi;
}

export class PluginRuntime {
  readonly definition: AnyPluginDefinition;
  readonly hooks: readonly PluginHookName[];
  readonly context: HookContext<unknown, unknown>;
  #inFlight = 0;
  #idle: (() => void)[] = [];
  #shutdown: Promise<void> | undefined;

  private constructor(definition: AnyPluginDefinition, hooks: readonly PluginHookName[], context: HookContext<unknown, unknown>) {
    this.definition = definition;
    this.hooks = hooks;
    this.context = context;
  }

  /**
   * Validates `rawConfig` with the plugin's schema and runs `setup`. Throws a `PluginConfigError`
   * (`MOSN_ERR_PLUGIN_CONFIG_INVALID`) or `MOSN_ERR_PLUGIN_SETUP_FAILED`.
   */
  static async start(definition: AnyPluginDefinition, rawConfig: unknown, options: PluginRuntimeOptions): Promise<PluginRuntime> {
    const hooks = checkDefinition(definition);
    const { logger, name, host } = options;
    const config = await validateConfig(definition, rawConfig, name);
    let state: unknown;
    if (definition.setup !== undefined) {
      try {
        state = await definition.setup({ config, logger, name, host });
      } catch (error) {
        throw new PluginSdkError(PLUGIN_SDK_ERROR_CODES.setupFailed, `plugin ${name}: setup failed: ${messageOf(error)}`, { cause: error });
      }
    }
    return new PluginRuntime(definition, hooks, Object.freeze({ config, state, logger, name, host }));
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get shuttingDown(): boolean {
    return this.#shutdown !== undefined;
  }

  checkRequest(request: CheckRequestParams): Promise<CheckRequestResult> {
    return promised(() => this.#run('checkRequest', request, checkCheckRequestResult));
  }

  call(request: CallParams): Promise<CallResult> {
    return promised(() => this.#run('call', request, checkCallResult));
  }

  rateLimit(request: RateLimitParams): Promise<RateLimitResult> {
    return promised(() => this.#run('rateLimit', request, checkRateLimitResult));
  }

  logRecords(batch: LogRecordsParams): Promise<void> {
    return promised(() => this.#run('logRecords', batch, checkNothing));
  }

  logLines(batch: LogLineBatch): Promise<void> {
    return promised(() => this.#run('logLines', batch, checkNothing));
  }

  logBytes(batch: LogByteBatch): Promise<void> {
    return promised(() => this.#run('logBytes', batch, checkNothing));
  }

  metrics(report: MetricsReport): Promise<void> {
    return promised(() => this.#run('metrics', report, checkNothing));
  }

  reopenLogs(): Promise<void> {
    return promised(() => this.#run('reopenLogs', undefined, checkNothing));
  }

  /**
   * A batched call: the checked result at once when the hook answered synchronously (no promise
   * on the way: most checks are a lookup), else its promise. Throws or rejects a PluginSdkError.
   */
  invoke(hook: 'checkRequest' | 'rateLimit' | 'call', request: unknown): unknown {
    switch (hook) {
      case 'checkRequest':
        return this.#run(hook, request, checkCheckRequestResult);
      case 'rateLimit':
        return this.#run(hook, request, checkRateLimitResult);
      case 'call':
        return this.#run(hook, request, checkCallResult);
    }
  }

  /**
   * Stops taking work, waits for the calls in flight (bounded), then runs the author's
   * `shutdown` (bounded too). Idempotent: every caller gets the same promise. Never rejects.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#doShutdown();
    return this.#shutdown;
  }

  /** Runs the hook; synchronous when the hook is, a promise when it returned one. */
  #run<T>(hook: PluginHookName, request: unknown, check: ResultCheck<T>): T | Promise<T> {
    const name = this.context.name;
    if (this.#shutdown !== undefined) {
      throw new PluginSdkError(PLUGIN_SDK_ERROR_CODES.shuttingDown, `plugin ${name}: expected a running plugin for ${hook}, found it shutting down`);
    }
    const fn = this.definition.hooks[hook] as ((...args: unknown[]) => unknown) | undefined;
    if (fn === undefined) {
      throw new PluginSdkError(
        PLUGIN_SDK_ERROR_CODES.hookNotProvided,
        `plugin ${name} does not provide the ${hook} hook; it provides: ${this.hooks.join(', ')}`,
      );
    }
    this.#inFlight++;
    let result: unknown;
    let thenable: boolean;
    try {
      // reopenLogs takes the context alone; every other hook (request, context).
      result = hook === 'reopenLogs' ? fn.call(this.definition.hooks, this.context) : fn.call(this.definition.hooks, request, this.context);
      thenable = isThenable(result); // a `then` getter may throw too
    } catch (error) {
      this.#finished();
      throw hookFailed(name, hook, error);
    }
    if (thenable) {
      return Promise.resolve(result).then(
        (value) => {
          this.#finished();
          return checked(name, hook, value, check);
        },
        (error: unknown) => {
          this.#finished();
          throw hookFailed(name, hook, error);
        },
      );
    }
    this.#finished();
    return checked(name, hook, result, check);
  }

  #finished(): void {
    if (--this.#inFlight === 0) this.#wakeIdle();
  }

  #wakeIdle(): void {
    const waiters = this.#idle;
    this.#idle = [];
    for (const wake of waiters) wake();
  }

  async #doShutdown(): Promise<void> {
    const { logger, name } = this.context;
    const boundMs = this.definition.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    if (this.#inFlight > 0) {
      const pending = this.#inFlight;
      const drained = await within(new Promise<void>((resolve) => this.#idle.push(resolve)), boundMs);
      if (!drained) {
        logger.warn(
          { code: PLUGIN_SDK_ERROR_CODES.shutdownTimeout, inFlight: this.#inFlight },
          `plugin ${name}: expected ${pending} in-flight call(s) to finish within ${boundMs} ms, found ${this.#inFlight} still running`,
        );
      }
    }
    const authorShutdown = this.definition.shutdown;
    if (authorShutdown === undefined) return;
    const done = await within(
      Promise.resolve()
        .then(() => authorShutdown(this.context))
        .catch((error: unknown) => {
          logger.error({ err: error }, `plugin ${name}: shutdown failed: ${messageOf(error)}`);
        }),
      boundMs,
    );
    if (!done) {
      logger.warn({ code: PLUGIN_SDK_ERROR_CODES.shutdownTimeout }, `plugin ${name}: expected shutdown to finish within ${boundMs} ms, found it still running`);
    }
  }
}

function hookFailed(name: string, hook: string, error: unknown): PluginSdkError {
  return new PluginSdkError(PLUGIN_SDK_ERROR_CODES.hookFailed, `plugin ${name}: ${hook} hook failed: ${messageOf(error)}`, { cause: error });
}

function checked<T>(name: string, hook: string, result: unknown, check: ResultCheck<T>): T {
  const outcome = check(result);
  if (!outcome.ok) {
    throw new PluginSdkError(PLUGIN_SDK_ERROR_CODES.hookResultInvalid, `plugin ${name}: ${hook} hook returned an invalid result:\n${outcome.problem}`);
  }
  return outcome.value;
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/** A maybe-synchronous run as a promise: a synchronous throw becomes a rejection. */
function promised<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error);
  }
}

/** true if `promise` settled within `ms`; the timer never outlives it. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
