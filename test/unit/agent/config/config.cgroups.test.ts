/** ECS_ENABLE_TASK_CPU_MEM_LIMIT, ECS_CGROUP_PATH, ECS_CGROUP_CPU_PERIOD and ECS_TASK_PIDS_LIMIT in loadConfig. */
import t from 'tap';
import { loadConfig } from '../../../../src/agent/config/config.js';

const load = (env: Record<string, string> = {}) => loadConfig({ AWS_DEFAULT_REGION: 'us-west-2', ...env }, { configFile: '/nonexistent/x' });

t.test('defaults: limits on where possible, /sys/fs/cgroup, a 100ms period, no pids limit', async (t) => {
  const c = load();
  t.equal(c.taskCpuMemLimit, undefined, 'unset = on when the cgroup root can be made');
  t.equal(c.cgroupPath, '/sys/fs/cgroup');
  t.equal(c.cgroupCpuPeriodMs, 100);
  t.equal(c.taskPidsLimit, 0);
});

t.test('explicit values are read', async (t) => {
  const c = load({ ECS_ENABLE_TASK_CPU_MEM_LIMIT: 'false', ECS_CGROUP_PATH: '/host/cgroup', ECS_CGROUP_CPU_PERIOD: '10ms', ECS_TASK_PIDS_LIMIT: '100' });
  t.equal(c.taskCpuMemLimit, false);
  t.equal(c.cgroupPath, '/host/cgroup');
  t.equal(c.cgroupCpuPeriodMs, 10);
  t.equal(c.taskPidsLimit, 100);
  t.equal(load({ ECS_ENABLE_TASK_CPU_MEM_LIMIT: 'true' }).taskCpuMemLimit, true);
});

t.test('a CPU period outside 8ms-100ms falls back to 100ms, as the official agent does', async (t) => {
  t.equal(load({ ECS_CGROUP_CPU_PERIOD: '7ms' }).cgroupCpuPeriodMs, 100);
  t.equal(load({ ECS_CGROUP_CPU_PERIOD: '110ms' }).cgroupCpuPeriodMs, 100);
  t.equal(load({ ECS_CGROUP_CPU_PERIOD: '8ms' }).cgroupCpuPeriodMs, 8);
  t.equal(load({ ECS_CGROUP_CPU_PERIOD: '100ms' }).cgroupCpuPeriodMs, 100);
});

t.test('a CPU period that is not a duration is a config error', async (t) => {
  t.throws(() => load({ ECS_CGROUP_CPU_PERIOD: 'fast' }), { code: 'ConfigError', message: /ECS_CGROUP_CPU_PERIOD/ });
  t.throws(() => load({ ECS_CGROUP_CPU_PERIOD: '50' }), { code: 'ConfigError' }, 'a bare number has no unit');
});

t.test('a pids limit outside 1-4194304 means unlimited; text is a config error', async (t) => {
  t.equal(load({ ECS_TASK_PIDS_LIMIT: '0' }).taskPidsLimit, 0);
  t.equal(load({ ECS_TASK_PIDS_LIMIT: '-1' }).taskPidsLimit, 0);
  t.equal(load({ ECS_TASK_PIDS_LIMIT: '4194304' }).taskPidsLimit, 4_194_304);
  t.equal(load({ ECS_TASK_PIDS_LIMIT: '4194305' }).taskPidsLimit, 0);
  t.throws(() => load({ ECS_TASK_PIDS_LIMIT: 'many' }), { code: 'ConfigError', message: /ECS_TASK_PIDS_LIMIT/ });
});
