import t, { type Test } from 'tap';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HEALTH_FILE, type HealthSnapshot } from '../../../src/agent/health/status-file.js';
import { berthEnv, runBerth } from '../../kit/run-berth.js';

const ARN = 'arn:aws:ecs:us-east-1:000000000000:container-instance/ship-health/0123456789abcdef';

/** A stand-in for the agent's introspection server: /v1/metadata answers with `status`. */
async function introspection(t: Test, status: number): Promise<number> {
  const server: Server = createServer((req, res) => {
    const ok = req.url === '/v1/metadata';
    res.writeHead(ok ? status : 404, { 'Content-Type': 'application/json' });
    res.end(ok ? JSON.stringify({ Cluster: 'ship-health', ContainerInstanceArn: ARN, Version: 'berth' }) : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/** A data dir with the health file a running agent writes; `acsDownForMs` > 0 makes it disconnected that long. */
function dataDir(t: Test, acsDownForMs = 0): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-cli-health-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const now = Date.now();
  const snapshot: HealthSnapshot = {
    pid: process.pid,
    writtenAt: now,
    intervalMs: 10_000,
    running: true,
    acs: { connected: acsDownForMs === 0, since: now - acsDownForMs },
    docker: { reachable: true, since: now },
  };
  writeFileSync(path.join(dir, HEALTH_FILE), JSON.stringify(snapshot));
  return dir;
}

const envFor = (port: number, dir: string): NodeJS.ProcessEnv =>
  berthEnv({ BERTH_INTROSPECTION_PORT: String(port), ECS_AGENT_HEALTHCHECK_HOST: '127.0.0.1', ECS_DATADIR: dir });

t.test('--healthcheck exits 0 when /v1/metadata answers 200 (like the official -healthcheck) and the agent is connected', async (t) => {
  const port = await introspection(t, 200);
  const dir = dataDir(t);
  const [flag, official] = await Promise.all([
    runBerth(['agent', '--healthcheck'], envFor(port, dir)),
    runBerth(['agent', '-healthcheck'], envFor(port, dir)),
  ]);
  t.equal(flag.code, 0, flag.stderr);
  t.equal(flag.stdout, `healthy: ${ARN}\n`);
  t.equal(official.code, 0, 'the official single-dash spelling works');
});

t.test('--healthcheck exits 1 with one line when the agent answers an error, does not answer, or lost ACS', async (t) => {
  const failingPort = await introspection(t, 500);
  const failing = await runBerth(['agent', '--healthcheck'], envFor(failingPort, dataDir(t)));
  t.equal(failing.code, 1);
  t.equal(failing.stderr, `unhealthy: http://127.0.0.1:${failingPort}/v1/metadata answered HTTP 500\n`);

  // A port whose server has gone: the connection is refused.
  const gone = createServer();
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
  const gonePort = (gone.address() as AddressInfo).port;
  await new Promise<void>((resolve) => gone.close(() => resolve()));
  const nothing = await runBerth(['agent', '--healthcheck'], envFor(gonePort, dataDir(t)));
  t.equal(nothing.code, 1);
  t.equal(nothing.stderr, `unhealthy: http://127.0.0.1:${gonePort}/v1/metadata: ECONNREFUSED\n`);

  const okPort = await introspection(t, 200);
  const cutOff = await runBerth(['agent', '--healthcheck'], envFor(okPort, dataDir(t, 60 * 60_000)));
  t.equal(cutOff.code, 1, 'answering /v1/metadata is not enough when ACS has been gone for an hour');
  t.match(cutOff.stderr, /^unhealthy: disconnected from ACS for 360\ds\n$/);
});
