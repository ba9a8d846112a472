/**
 * Private registry auth on real Docker: a local docker-registry behind htpasswd; ECS_ENGINE_AUTH_TYPE docker and
 * dockercfg pull from it, a wrong password fails with CannotPullContainerError (ECS_IMAGE_PULL_BEHAVIOR=always,
 * so every task really pulls).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { privateRegistry, haveRegistryTools } from '../../../kit/registry.js';
import { acsTask, engineRig, sh } from '../../../kit/engine-harness.js';

t.test('private registry auth', { skip: !haveRegistryTools && 'needs docker-registry and htpasswd' }, async (t) => {
  const { host, image } = await privateRegistry(t, 'berth', 's3cret');
  const unauthorized = spawn('docker', ['pull', image], { stdio: 'ignore' });
  t.not(await new Promise((r) => unauthorized.once('exit', r)), 0, 'an anonymous pull is refused');

  const cases = [
    { name: 'docker', env: { ECS_ENGINE_AUTH_TYPE: 'docker', ECS_ENGINE_AUTH_DATA: JSON.stringify({ [host]: { username: 'berth', password: 's3cret', email: 'b@example.com' } }) }, ok: true },
    { name: 'dockercfg', env: { ECS_ENGINE_AUTH_TYPE: 'dockercfg', ECS_ENGINE_AUTH_DATA: JSON.stringify({ [`http://${host}`]: { auth: Buffer.from('berth:s3cret').toString('base64'), email: '' } }) }, ok: true },
    { name: 'a wrong password', env: { ECS_ENGINE_AUTH_TYPE: 'docker', ECS_ENGINE_AUTH_DATA: JSON.stringify({ [host]: { username: 'berth', password: 'wrong' } }) }, ok: false },
  ];
  for (const c of cases) {
    await t.test(`${c.name}: ${c.ok ? 'pulls and runs' : 'fails with CannotPullContainerError'}`, async (t) => {
      const rig = await engineRig(t, { slice: 8, env: { ...c.env, ECS_IMAGE_PULL_BEHAVIOR: 'always'} });
      const arn = rig.arn();
      rig.send(acsTask(arn, [{ name: 'app', image, command: sh('exit 42') }]));
      const stopped = await rig.reported(arn, 'STOPPED');
      if (c.ok) {
        t.equal(rig.containers(arn)['app']!['exitCode'], 42);
        t.type(stopped['pullStartedAt'], 'number');
      } else {
        t.match(rig.containers(arn)['app']!['reason'], /^CannotPullContainerError: /);
      }
    });
  }
});
