/**
 * Host resource accounting on real Docker (spec §4.4, the newest official behaviour; the official
 * TestPortResourceContention): tasks wait in FIFO order until their static ports, CPU and memory fit, and a task
 * that can never fit is stopped with a reason.
 */
import t from 'tap';
import { freePort } from '../../../kit/docker.js';
import { acsTask, at, engineRig, inspect, sh } from '../../../kit/engine-harness.js';

const WEB = sh('trap "exit 0" TERM; httpd -f -p 8080 -h /www & wait');

t.test('host resources', async (t) => {
  const rig = await engineRig(t, { slice: 4 });

  await Promise.all([
    t.test('two tasks wanting the same static host port never run at once', async (t) => {
      const port = await freePort();
      const web = (arn: string) => acsTask(arn, [{ name: 'web', command: WEB, portMappings: [{ containerPort: 8080, hostPort: port, protocol: 'tcp' }] }]);
      const [a, b] = [rig.arn(), rig.arn()];
      rig.send(web(a), web(b));
      await rig.reported(a, 'RUNNING');
      await new Promise((r) => setTimeout(r, 800));
      t.same(rig.containers(b), {}, 'the second task has not created anything while the first holds the port');
      rig.send({ ...web(a), desiredStatus: 'STOPPED' });
      await rig.reported(a, 'STOPPED');
      await rig.reported(b, 'RUNNING');
      t.ok(at(inspect(b, 'web').State.StartedAt) >= at(inspect(a, 'web').State.FinishedAt), 'the second started after the first stopped');
      rig.send({ ...web(b), desiredStatus: 'STOPPED' });
      await rig.reported(b, 'STOPPED');
    }),
    t.test('a task that can never fit is stopped with a reason and touches no Docker', async (t) => {
      const arn = rig.arn();
      rig.send(acsTask(arn, [{ name: 'huge', command: sh('exit 0'), memory: 64 * 1024 * 1024 }]));
      const stopped = await rig.reported(arn, 'STOPPED');
      t.match(stopped['reason'], /^ResourceInitializationError: task can never fit on this instance: task needs \d+ MiB of memory/);
      t.notOk(Object.values(rig.containers(arn)).some((c) => c['runtimeId']), 'nothing was created');
    }),
  ]);
});
