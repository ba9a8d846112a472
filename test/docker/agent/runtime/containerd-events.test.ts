import t from 'tap';
import { decodeProcessEvent, encodeExitEnvelope } from '../../../../src/agent/runtime/containerd-events.js';
import { DockerRuntime } from '../../../../src/agent/runtime/docker.js';
import type { ProcessEvent } from '../../../../src/agent/runtime/runtime.js';

const IMAGE = 'berth/busybox:latest';
const ID = 'a'.repeat(64);

t.test('decoding: the init process exit of a moby container, with its status and time', async (t) => {
  const at = Date.UTC(2026, 10, 22, 5, 0, 0, 123);
  t.same(decodeProcessEvent(encodeExitEnvelope({ containerId: ID, exitStatus: 7, exitedAtMs: at })), { kind: 'exit', id: ID, exitCode: 7, exitedAt: at });
});

t.test('decoding: exec processes (health checks) and other namespaces are not container exits', async (t) => {
  t.equal(decodeProcessEvent(encodeExitEnvelope({ containerId: ID, processId: 'exec-1', exitStatus: 0, exitedAtMs: Date.now() })), undefined);
  t.equal(decodeProcessEvent(encodeExitEnvelope({ namespace: 'k8s.io', containerId: ID, exitStatus: 0, exitedAtMs: Date.now() })), undefined);
});

t.test('a runtime without a containerd socket says so, and the engine keeps to Docker events', async (t) => {
  const off = new DockerRuntime({ dockerHost: 'unix:///var/run/docker.sock' });
  await t.rejects(off.streamProcessEvents(() => undefined, new AbortController().signal), { code: 'ContainerdUnavailableError' });
  const missing = new DockerRuntime({ dockerHost: 'unix:///var/run/docker.sock', containerdSocket: '/nonexistent/containerd.sock' });
  await t.rejects(missing.streamProcessEvents(() => undefined, AbortSignal.timeout(10_000)), 'an unreachable socket rejects');
});

t.test("real containerd: a container's exit and an OOM kill arrive, health-check execs do not", async (t) => {
  const runtime = new DockerRuntime({ dockerHost: 'unix:///var/run/docker.sock', containerdSocket: 'auto' });
  const seen: (ProcessEvent & { arrivedAt: number })[] = [];
  const stream = new AbortController();
  const streaming = runtime.streamProcessEvents((e) => seen.push({ ...e, arrivedAt: Date.now() }), stream.signal);
  const made: string[] = [];
  t.teardown(async () => {
    stream.abort();
    await streaming;
    for (const id of made) await runtime.removeContainer(id, AbortSignal.timeout(20_000));
  });
  await new Promise((r) => setTimeout(r, 200)); // the subscription is open

  const run = async (name: string, body: Record<string, unknown>): Promise<string> => {
    const id = await runtime.createContainer({ name: `berth-ctd-${name}-${process.pid}`, body: { Image: IMAGE, ...body } }, { timeoutMs: 30_000, signal: AbortSignal.timeout(30_000) });
    made.push(id);
    await runtime.startContainer(id, { timeoutMs: 30_000, signal: AbortSignal.timeout(30_000) });
    return id;
  };
  const exits = await run('exit', {
    Cmd: ['sh', '-c', 'sleep 1; exit 7'],
    Healthcheck: { Test: ['CMD', 'true'], Interval: 100_000_000, StartPeriod: 0 },
  });
  const oom = await run('oom', { Cmd: ['sh', '-c', 'x=0123456789abcdef; while :; do x=$x$x; done'], HostConfig: { Memory: 8 * 2 ** 20, MemorySwap: 8 * 2 ** 20 } });

  const deadline = Date.now() + 20_000;
  const exitOf = (id: string) => seen.find((e): e is Extract<ProcessEvent, { kind: 'exit' }> & { arrivedAt: number } => e.id === id && e.kind === 'exit');
  // containerd announces an OOM kill and the exit separately; under load either may come first, so wait for all three.
  const oomSeen = (): boolean => seen.some((e) => e.id === oom && e.kind === 'oom');
  while ((!exitOf(exits) || !exitOf(oom) || !oomSeen()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const exit = exitOf(exits);
  t.match(exit, { kind: 'exit', exitCode: 7 });
  t.equal(seen.filter((e) => e.id === exits).length, 1, 'health-check exec exits are not reported');
  // containerd tells the exit before dockerd has recorded it: ask Docker until it has (FinishedAt set).
  let info = await runtime.inspectContainer(exits, AbortSignal.timeout(10_000));
  while (info?.finishedAt === undefined && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    info = await runtime.inspectContainer(exits, AbortSignal.timeout(10_000));
  }
  t.ok(exit && info?.finishedAt !== undefined && Math.abs(exit.exitedAt - info.finishedAt) <= 5, `exitedAt is Docker's FinishedAt (${exit?.exitedAt} vs ${info?.finishedAt})`);
  t.ok(oomSeen(), 'the OOM kill is announced');
  t.match(exitOf(oom), { exitCode: 137 });
});
