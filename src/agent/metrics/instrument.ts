/** Timing hooks that feed AgentMetrics without touching the code they measure. */
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { AgentMetrics } from './registry.js';
import { realClock } from '../../shared/clock.js';

/** Long-lived or trivial calls whose duration says nothing about Docker's latency. */
const UNTIMED = new Set(['streamEvents', 'streamProcessEvents', 'close', 'constructor']);

/**
 * Wraps every promise-returning method of the runtime: duration and, on failure, the error's code
 * (BerthError code, else its name). The wrapper has the runtime's own type.
 */
export function instrumentRuntime<T extends object>(runtime: T, metrics: AgentMetrics | undefined): T {
  if (!metrics) return runtime;
  return new Proxy(runtime, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string' || UNTIMED.has(prop)) return value;
      return (...args: unknown[]): unknown => {
        const started = realClock.monotonic();
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.then(
          (v: unknown) => {
            metrics.observeDocker(prop, (realClock.monotonic() - started) / 1000, undefined);
            return v;
          },
          (err: unknown) => {
            const e = err as { code?: unknown; name?: unknown };
            metrics.observeDocker(prop, (realClock.monotonic() - started) / 1000, typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'Error');
            throw err;
          },
        );
      };
    },
  });
}

/** An SDK middleware that times every ECS API call by command name (SubmitTaskStateChange, ...). */
export function instrumentEcsClient(client: ECSClient, metrics: AgentMetrics | undefined): void {
  if (!metrics) return;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      const started = realClock.monotonic();
      try {
        const out = await next(args);
        metrics.observeApi(operation, (realClock.monotonic() - started) / 1000, undefined);
        return out;
      } catch (err) {
        const name = (err as { name?: unknown }).name;
        metrics.observeApi(operation, (realClock.monotonic() - started) / 1000, typeof name === 'string' ? name : 'Error');
        throw err;
      }
    },
    { step: 'initialize', name: 'berthMetrics' },
  );
}
