/**
 * CloudWatch Logs without HTTP: the emulator's logs service on a database of its own, at a manual clock, called
 * through the kit's `invoke` (the same checks and handlers as the wire). For tests of the rules themselves.
 */
import { openDatabase } from '../../src/emulator/store/database.js';
import { logs, openLogsStore, RetentionSweep, type LogsDeps } from '../../src/emulator/logs/index.js';
import { silentLogger } from '../../src/shared/log.js';
import { ManualClock } from './manual-clock.js';

export interface LogsFixture {
  deps: LogsDeps;
  clock: ManualClock;
  sweep: RetentionSweep;
  call(op: string, input: Record<string, unknown>): Record<string, unknown>;
  /** The error code and message an operation throws. */
  failure(op: string, input: Record<string, unknown>): { code: string; message: string };
}

export function logsFixture(t: { testdir(): string; teardown(fn: () => void): void }): LogsFixture {
  const database = openDatabase(t.testdir());
  t.teardown(() => database.close());
  const clock = new ManualClock();
  const store = openLogsStore(database);
  const deps: LogsDeps = { store, log: silentLogger(), account: { region: 'us-east-1', accountId: '000000000000' }, now: () => clock.now() };
  const call = (op: string, input: Record<string, unknown>): Record<string, unknown> => logs.invoke(deps, op, input);
  return {
    deps,
    clock,
    sweep: new RetentionSweep({ store, log: silentLogger(), clock }),
    call,
    failure(op, input) {
      try {
        call(op, input);
      } catch (err) {
        const e = err as { code?: string; message: string };
        return { code: e.code ?? 'none', message: e.message };
      }
      throw new Error(`${op} succeeded`);
    },
  };
}
