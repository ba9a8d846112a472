/** Docker unreachable at start: the agent waits with backoff, says why, and starts once the socket appears. */
import t from 'tap';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startAgent } from '../../../../src/agent/index.js';
import { createLogger } from '../../../../src/shared/log.js';
import { startFakeControlPlane, eventually } from '../../../kit/fake-control-plane.js';
import { agentConfig, tempDataDir, uniqueCluster } from '../../../kit/agent-harness.js';

/** A unix socket at `socketPath` that forwards to the real Docker socket. */
function dockerProxy(socketPath: string): Promise<net.Server> {
  const server = net.createServer((client) => {
    const upstream = net.connect('/var/run/docker.sock');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise((resolve) => server.listen(socketPath, () => resolve(server)));
}

t.test('with DOCKER_HOST pointing at a socket that appears later, the agent waits, logs why, then registers', async (t) => {
  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const dir = tempDataDir(t);
  const socketPath = path.join(dir, 'late-docker.sock');
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const config = agentConfig({ cluster: uniqueCluster('dur-late'), backend: fake.url, dataDir: path.join(dir, 'data'), portRange: '53140-53149', extra: { DOCKER_HOST: `unix://${socketPath}` } });
  const starting = startAgent({ config, log: createLogger({ level: 'info' }, sink) });

  await eventually('two failed attempts', () => lines.filter((l) => l['msg'] === 'docker is not reachable; waiting for it').length >= 2, 10_000);
  t.equal(fake.ofOperation('RegisterContainerInstance').length, 0, 'no registration without Docker');
  const waiting = lines.find((l) => l['msg'] === 'docker is not reachable; waiting for it')!;
  t.match(waiting, { dockerHost: `unix://${socketPath}`, why: /ENOENT|connect/ }, 'the log says where and why');
  const proxy = await dockerProxy(socketPath);
  t.teardown(() => proxy.close());
  const proxyUpAt = Date.now();

  const agent = await starting;
  t.teardown(() => agent.close());
  t.equal(fake.ofOperation('RegisterContainerInstance').length, 1);
  t.ok(lines.some((l) => l['msg'] === 'docker is reachable now'), 'and that Docker is back');
  t.ok(Date.now() - proxyUpAt < 15_000);
});

t.test('SIGTERM (an aborted startup) while waiting for Docker ends startup promptly', async (t) => {
  const dir = tempDataDir(t);
  const config = agentConfig({ cluster: uniqueCluster('dur-late'), backend: 'http://127.0.0.1:9', dataDir: dir, portRange: '53150-53159', extra: { DOCKER_HOST: `unix://${dir}/never.sock` } });
  const abort = new AbortController();
  const starting = startAgent({ config, log: createLogger({ level: 'silent' }), signal: abort.signal });
  setTimeout(() => abort.abort(new Error('SIGTERM during startup')), 300);
  await t.rejects(starting, /SIGTERM during startup/);
});
