/**
 * The container lifecycle on real Docker: essential / non-essential exits, OOM, stop timeouts and signals, pull
 * failures, ports, labels and log options, external signals, cleanup (spec §5.4-§5.8; the official
 * TestStartStopUnpulledImage, TestPortForward, TestDynamicPortForward, TestInitOOMEvent, TestSignalEvent,
 * TestDockerStopTimeout, TestPerContainerStopTimeout, TestTaskStopWhenPullImageFail, TestLabels,
 * TestLogDriverOptions, TestTaskCleanup). Scenarios share one agent and run concurrently.
 */
import t, { type Test } from 'tap';
import { docker } from '../../../kit/docker.js';
import { freePort } from '../../../kit/docker.js';
import { acsTask, engineRig, eventually, inspect, sh, type EngineRig } from '../../../kit/engine-harness.js';

const LONG = sh('trap "exit 0" TERM; sleep 60 & wait');
const IGNORE_TERM = sh('trap "" TERM; sleep 60 & wait; sleep 60');

t.test('container lifecycle', async (t) => {
  const rig = await engineRig(t, { slice: 1, env: { ECS_CONTAINER_STOP_TIMEOUT: '2s' } });
  const scenario = (name: string, fn: (t: Test, rig: EngineRig) => Promise<void>) => t.test(name, (t) => fn(t, rig));

  await Promise.all([
    scenario('a non-essential exit leaves the task running; the essential exit stops it with executionStoppedAt', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [
        { name: 'side', essential: false, command: sh('sleep 0.5; exit 5') }, // exits once the task runs
        { name: 'main', command: sh('sleep 1.5; exit 3') },
      ]));
      await rig.reported(arn, 'RUNNING');
      const sideStopped = await eventually('side STOPPED while the task runs', () => rig.fake.ofOperation('SubmitTaskStateChange')
        .map((r) => r.body)
        .find((b) => b['task'] === arn && b['status'] !== 'STOPPED' && (b['containers'] as { containerName: string; status: string }[]).some((c) => c.containerName === 'side' && c.status === 'STOPPED')));
      t.equal(sideStopped['status'], 'RUNNING', 'the task is still RUNNING when the sidecar exit is reported');
      const stopped = await rig.reported(arn, 'STOPPED');
      t.match(rig.containers(arn), { side: { status: 'STOPPED', exitCode: 5 }, main: { status: 'STOPPED', exitCode: 3 } });
      t.type(stopped['executionStoppedAt'], 'number');
      t.equal(stopped['reason'], '');
    }),
    scenario('an OOM kill is reported as OutOfMemoryError (TestInitOOMEvent)', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [{ name: 'hog', memory: 8, command: sh('x=0123456789abcdef; while :; do x=$x$x; done') }]));
      await rig.reported(arn, 'STOPPED');
      t.match(rig.containers(arn)['hog'], { status: 'STOPPED', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' });
    }),
    scenario('a container ignoring SIGTERM is killed after ECS_CONTAINER_STOP_TIMEOUT: 137 (TestDockerStopTimeout)', async (t) => {
      const arn = rig.arn();
      const task = acsTask(arn, [{ name: 'stubborn', command: IGNORE_TERM }]);
      rig.send(task);
      await rig.reported(arn, 'RUNNING');
      const t0 = Date.now();
      rig.send({ ...task, desiredStatus: 'STOPPED' });
      await rig.reported(arn, 'STOPPED');
      const took = Date.now() - t0;
      t.equal(rig.containers(arn)['stubborn']!['exitCode'], 137);
      t.ok(took >= 1900 && took < 6000, `stopped after the 2 s grace period (${took} ms)`);
    }),
    scenario('a per-container stopTimeout wins over the agent default (TestPerContainerStopTimeout)', async (t) => {
      const arn = rig.arn();
      const task = acsTask(arn, [{ name: 'quick', command: IGNORE_TERM, stopTimeout: 1 }]);
      rig.send(task);
      await rig.reported(arn, 'RUNNING');
      const t0 = Date.now();
      rig.send({ ...task, desiredStatus: 'STOPPED' });
      await rig.reported(arn, 'STOPPED');
      const took = Date.now() - t0;
      t.equal(rig.containers(arn)['quick']!['exitCode'], 137);
      t.ok(took >= 900 && took < 1900, `killed after 1 s, not 2 s (${took} ms)`);
    }),
    scenario('docker stop sends the container stop signal, not always SIGTERM', async (t) => {
      const arn = rig.arn();
      const task = acsTask(arn, [{ name: 'usr1', command: sh('trap "exit 7" USR1; trap "" TERM; sleep 60 & wait'), dockerConfig: { config: '{"StopSignal":"SIGUSR1"}', hostConfig: '{}' } }]);
      rig.send(task);
      await rig.reported(arn, 'RUNNING');
      rig.send({ ...task, desiredStatus: 'STOPPED' });
      await rig.reported(arn, 'STOPPED');
      t.equal(rig.containers(arn)['usr1']!['exitCode'], 7);
    }),
    scenario('an external docker kill is observed through the event stream (TestSignalEvent)', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [{ name: 'victim', command: LONG }]));
      const running = await rig.reported(arn, 'RUNNING');
      const id = String((running['containers'] as { runtimeId: string }[])[0]!.runtimeId);
      docker('kill', '-s', 'KILL', id);
      await rig.reported(arn, 'STOPPED');
      t.equal(rig.containers(arn)['victim']!['exitCode'], 137);
    }),
    scenario('a start failure stops the task with CannotStartContainerError', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [{ name: 'broken', command: ['/no/such/binary'] }]));
      const stopped = await rig.reported(arn, 'STOPPED');
      t.match(rig.containers(arn)['broken'], { status: 'STOPPED', reason: /^CannotStartContainerError: .*no such file/ });
      t.equal(stopped['reason'], '');
    }),
    scenario('a pull failure stops the task with CannotPullContainerError (TestTaskStopWhenPullImageFail)', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [{ name: 'ghost', image: '127.0.0.1:1/berth/none:latest', command: LONG }]));
      const stopped = await rig.reported(arn, 'STOPPED');
      t.match(rig.containers(arn)['ghost'], { status: 'STOPPED', reason: /^CannotPullContainerError: / });
      t.type(stopped['pullStartedAt'], 'number');
      t.type(stopped['pullStoppedAt'], 'number');
    }),
    scenario('static and dynamic host ports are bound and reported (TestPortForward, TestDynamicPortForward)', async (t) => {
      const arn = rig.arn();
      const fixed = await freePort();
      const task = acsTask(arn, [{
        name: 'web',
        command: sh('trap "exit 0" TERM; httpd -f -p 8080 -h /www & wait'),
        portMappings: [{ containerPort: 8080, hostPort: fixed, protocol: 'tcp' }, { containerPort: 8080, hostPort: 0, protocol: 'tcp' }],
      }]);
      rig.send(task);
      const running = await rig.reported(arn, 'RUNNING');
      const bindings = (running['containers'] as { networkBindings: { hostPort: number }[] }[])[0]!.networkBindings.map((b) => b.hostPort).sort();
      const dynamic = bindings.find((p) => p !== fixed)!;
      t.ok(bindings.includes(fixed), 'the static port is reported');
      t.ok(dynamic >= 50100 && dynamic <= 50199, 'the dynamic port comes from ECS_DYNAMIC_HOST_PORT_RANGE');
      for (const port of [fixed, dynamic]) {
        const body = await eventually(`GET :${port}`, async () => (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) })).text());
        t.match(body, /hello from berth/);
      }
      rig.send({ ...task, desiredStatus: 'STOPPED' });
      await rig.reported(arn, 'STOPPED');
    }),
    scenario('dockerConfig labels and log options pass through; ECS labels win (TestLabels, TestLogDriverOptions)', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [{
        name: 'labelled',
        command: sh('exit 0'),
        dockerConfig: {
          config: JSON.stringify({ Labels: { team: 'berth', 'com.amazonaws.ecs.cluster': 'spoofed' } }),
          hostConfig: JSON.stringify({ LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } } }),
        },
      }]));
      await rig.reported(arn, 'STOPPED');
      const info = inspect(arn, 'labelled');
      t.match(info.Config['Labels'], { team: 'berth', 'com.amazonaws.ecs.cluster': rig.cluster });
      t.same(info.HostConfig['LogConfig'], { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } });
    }),
  ]);
});

t.test('stopped tasks are removed after the cleanup wait (TestTaskCleanup)', async (t) => {
  const rig = await engineRig(t, { slice: 2, env: { ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1s' } });
  const arn = rig.arn();
  rig.send(acsTask(arn, [{ name: 'brief', command: sh('exit 0') }]));
  await rig.reported(arn, 'STOPPED');
  await eventually('containers removed', () => docker('ps', '-aq', '--filter', `label=com.amazonaws.ecs.task-arn=${arn}`) === '', 10_000);
  t.pass('the container is gone');
});
