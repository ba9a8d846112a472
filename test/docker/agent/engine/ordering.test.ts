/**
 * Container ordering on real Docker (spec §5.5; the official TestDependency*, TestLinking, TestVolumesFromRO,
 * TestShutdownOrder, ContainerOrdering* scenarios). All scenarios share one agent and run concurrently.
 */
import t, { type Test } from 'tap';
import { acsTask, at, engineRig, inspect, sh, type EngineRig } from '../../../kit/engine-harness.js';

const HEALTH_OK = JSON.stringify({ Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 500e6, Timeout: 1e9, Retries: 1 } });
const HEALTH_BAD = JSON.stringify({ Healthcheck: { Test: ['CMD-SHELL', 'false'], Interval: 500e6, Timeout: 1e9, Retries: 1 } });
const LONG = sh('trap "exit 0" TERM; sleep 60 & wait');

t.test('container ordering', async (t) => {
  const rig = await engineRig(t, { slice: 0 });

  const scenario = (name: string, fn: (t: Test, rig: EngineRig) => Promise<void>) => t.test(name, (t) => fn(t, rig));
  await Promise.all([
    scenario('SUCCESS waits for the dependency to exit 0', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [
        { name: 'init', essential: false, command: sh('sleep 1; exit 0') },
        { name: 'app', command: sh('exit 0'), dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }] },
      ]));
      await rig.reported(arn, 'STOPPED');
      const c = rig.containers(arn);
      t.match(c, { init: { status: 'STOPPED', exitCode: 0 }, app: { status: 'STOPPED', exitCode: 0 } });
      t.ok(at(inspect(arn, 'app').State.StartedAt) >= at(inspect(arn, 'init').State.FinishedAt), 'app started after init exited');
    }),
    scenario('COMPLETE accepts any exit code', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [
        { name: 'init', essential: false, command: sh('exit 3') },
        { name: 'app', command: sh('exit 0'), dependsOn: [{ containerName: 'init', condition: 'COMPLETE' }] },
      ]));
      await rig.reported(arn, 'STOPPED');
      t.match(rig.containers(arn), { init: { exitCode: 3 }, app: { exitCode: 0 } });
      t.ok(at(inspect(arn, 'app').State.StartedAt) >= at(inspect(arn, 'init').State.FinishedAt));
    }),
    scenario('SUCCESS on a failed dependency stops the dependent with 143 (TestDependencySuccessErrored)', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [
        { name: 'init', essential: false, command: sh('exit 1') },
        { name: 'app', command: sh('exit 0'), dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }] },
      ]));
      const stopped = await rig.reported(arn, 'STOPPED');
      const app = rig.containers(arn)['app']!;
      t.equal(app['exitCode'], 143);
      t.match(app['reason'], /^CannotStartContainerError: dependency graph: .*\[init\].*did not exit successfully/);
      t.notOk(app['runtimeId'], 'the dependent was never created');
      t.equal(stopped['reason'], '', 'no task-level reason: ECS derives it');
    }),
    scenario('HEALTHY waits for the dependency health check (TestDependencyHealthCheck)', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [
        { name: 'db', essential: false, command: LONG, healthCheckType: 'docker', dockerConfig: { config: HEALTH_OK, hostConfig: '{}' } },
        { name: 'app', command: sh('exit 0'), dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] },
      ]));
      await rig.reported(arn, 'STOPPED');
      t.match(rig.containers(arn), { app: { exitCode: 0 }, db: { status: 'STOPPED', exitCode: 0 } });
      // The first health probe runs 500 ms after the start: the dependent cannot have started before it.
      t.ok(at(inspect(arn, 'app').State.StartedAt) >= at(inspect(arn, 'db').State.StartedAt) + 400, 'app started once db was healthy');
    }),
    scenario('a SUCCESS dependency past its startTimeout fails the dependent; the sleeper is killed (ContainerOrderingTimeout)', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [
        { name: 'slow', essential: false, command: ['sleep', '60'], startTimeout: 1, stopTimeout: 1 },
        { name: 'app', command: sh('exit 0'), dependsOn: [{ containerName: 'slow', condition: 'SUCCESS' }] },
      ]));
      await rig.reported(arn, 'STOPPED');
      const c = rig.containers(arn);
      t.match(c['app'], { exitCode: 143, reason: /within its start timeout/ });
      t.equal(c['slow']!['exitCode'], 137, 'sleep ignores SIGTERM as PID 1: SIGKILL after the stop timeout');
    }),
    scenario('a HEALTHY dependency that never gets healthy times out (TestDependencyHealthyTimeout)', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [
        { name: 'db', essential: false, command: LONG, startTimeout: 2, healthCheckType: 'docker', dockerConfig: { config: HEALTH_BAD, hostConfig: '{}' } },
        { name: 'app', command: sh('exit 0'), dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] },
      ]));
      await rig.reported(arn, 'STOPPED');
      t.match(rig.containers(arn)['app'], { exitCode: 143, reason: /\[HEALTHY\] within its start timeout/ });
    }),
    scenario('links start the target first and resolve its alias (TestLinking)', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [
        { name: 'client', command: sh('for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O- http://srv:8080/ | grep -q hello && exit 42; sleep 0.2; done; exit 1'), links: ['server:srv'] },
        { name: 'server', essential: false, command: sh('trap "exit 0" TERM; httpd -f -p 8080 -h /www & wait') },
      ]));
      await rig.reported(arn, 'STOPPED');
      t.match(rig.containers(arn), { client: { exitCode: 42 }, server: { exitCode: 0 } });
      t.ok(at(inspect(arn, 'client').State.StartedAt) >= at(inspect(arn, 'server').State.StartedAt));
    }),
    scenario('volumesFrom readOnly mounts the source volumes read-only (TestVolumesFromRO)', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [
        { name: 'data', essential: false, command: sh('echo shared > /data/f'), dockerConfig: { config: '{"Volumes":{"/data":{}}}', hostConfig: '{}' } },
        {
          name: 'reader',
          command: sh('grep -q shared /data/f && ! touch /data/g 2>/dev/null && exit 42; exit 1'),
          volumesFrom: [{ sourceContainer: 'data', readOnly: true }],
          dependsOn: [{ containerName: 'data', condition: 'COMPLETE' }],
        },
      ]));
      await rig.reported(arn, 'STOPPED');
      t.equal(rig.containers(arn)['reader']!['exitCode'], 42);
    }),
    scenario('shutdown runs in reverse dependency order (TestShutdownOrder)', async (t) => {
      const arn = rig.arn();
      const task = acsTask(arn, [
        { name: 'db', command: LONG },
        { name: 'app', command: LONG, dependsOn: [{ containerName: 'db', condition: 'START' }] },
        { name: 'proxy', command: LONG, links: ['app'] },
      ]);
      rig.send(task);
      await rig.reported(arn, 'RUNNING');
      rig.send({ ...task, desiredStatus: 'STOPPED' });
      await rig.reported(arn, 'STOPPED');
      t.match(rig.containers(arn), { db: { exitCode: 0 }, app: { exitCode: 0 }, proxy: { exitCode: 0 } }, 'all stopped by docker stop');
      const done = (n: string) => at(inspect(arn, n).State.FinishedAt);
      t.ok(done('proxy') <= done('app') && done('app') <= done('db'), 'proxy, then app, then db');
    }),
    scenario('a dependency cycle stops the task at once with TaskDependencyError', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [
        { name: 'a', command: LONG, dependsOn: [{ containerName: 'b', condition: 'START' }] },
        { name: 'b', command: LONG, links: ['a'] },
      ]));
      const stopped = await rig.reported(arn, 'STOPPED');
      t.equal(stopped['reason'], `TaskDependencyError: Task dependencies cannot be resolved, taskArn: ${arn}`);
      t.notOk(Object.values(rig.containers(arn)).some((c) => c['runtimeId']), 'nothing was created');
    }),
  ]);
});
