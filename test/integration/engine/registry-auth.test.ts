/**
 * Private registry auth on real Docker: a local docker-registry behind htpasswd; ECS_ENGINE_AUTH_TYPE docker and
 * dockercfg pull from it, a wrong password fails with CannotPullContainerError (ECS_IMAGE_PULL_BEHAVIOR=always,
 * so every task really pulls).
 */
import t, { type Test } from 'tap';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUSYBOX, docker, freePort } from '../../helpers/docker.js';
import { acsTask, engineRig, sh } from './harness.js';

async function serveRegistry(t: Test, dir: string, auth: boolean): Promise<string> {
  const port = await freePort();
  const config = path.join(dir, `config-${port}.yml`);
  writeFileSync(config, [
    'version: 0.1',
    'log:',
    '  level: error',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    'http:',
    `  addr: 127.0.0.1:${port}`,
    ...(auth ? ['auth:', '  htpasswd:', '    realm: berth', `    path: ${path.join(dir, 'htpasswd')}`] : []),
    '',
  ].join('\n'));
  const child = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: 'ignore' });
  t.teardown(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.end(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (up) return `127.0.0.1:${port}`;
    if (Date.now() > deadline) throw new Error('registry did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}


const haveTools = existsSync('/usr/bin/docker-registry') && existsSync('/usr/bin/htpasswd');

t.test('private registry auth', { skip: !haveTools && 'needs docker-registry and htpasswd' }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-authreg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', 'berth', 's3cret'], { encoding: 'utf8' }));
  // Push while the registry is open (so no `docker login` touches the host's config), then serve it with auth.
  const repo = `berth-auth-${randomBytes(4).toString('hex')}`;
  const open = await serveRegistry(t, dir, false);
  docker('tag', BUSYBOX, `${open}/${repo}:1`);
  docker('push', `${open}/${repo}:1`);
  docker('rmi', `${open}/${repo}:1`);
  const host = await serveRegistry(t, dir, true);
  const image = `${host}/${repo}:1`;
  t.teardown(() => {
    try {
      docker('rmi', '-f', image);
    } catch {
      // never pulled
    }
  });
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
