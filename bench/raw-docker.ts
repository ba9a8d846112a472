/**
 * The baseline: raw Docker create + start of the same container berth runs, through dockerode, with the same
 * image, command, labels, memory, CPU shares and an explicit host port binding.
 */
import Docker from 'dockerode';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '0.0.0.0', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export async function rawCreateStart(docker: Docker, image: string, cmd: string[], runs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const hostPort = await freePort();
    const name = `berth-bench-raw-${process.pid}-${i}`;
    const t0 = performance.now();
    const container = await docker.createContainer({
      name,
      Image: image,
      Cmd: cmd,
      Labels: { 'com.amazonaws.ecs.cluster': 'berth-bench-raw' },
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: {
        PortBindings: { '8080/tcp': [{ HostPort: String(hostPort) }] },
        Memory: 64 * 1024 * 1024,
        CpuShares: 2,
      },
    });
    await container.start();
    samples.push(performance.now() - t0);
    await container.remove({ force: true });
  }
  return samples;
}
