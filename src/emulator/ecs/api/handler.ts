import type { CallInfo, EmulatorContext } from '../context.js';
import type { InputSpec } from '../validate.js';

/** One ECS action: the members it checks before `handle` runs, and the handler itself. */
export interface Handler {
  readonly input: InputSpec;
  handle(ctx: EmulatorContext, input: Record<string, unknown>, call: CallInfo): Record<string, unknown>;
}

/** Types a handler's input as its request interface; `validateInput(spec)` has run before `handle`. */
export function defineHandler<I>(h: {
  input: InputSpec;
  handle(ctx: EmulatorContext, input: I, call: CallInfo): Record<string, unknown>;
}): Handler {
  return h as unknown as Handler;
}
