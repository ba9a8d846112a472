/**
 * The emulator against the attacks the security issue lists, now refused: a DNS-rebinding Host (API and websocket
 * upgrade), a 50 MB websocket frame (closed before it is buffered, memory bounded), and its data at rest (dir 0700,
 * database 0600).
 */
import t from 'tap';
import { request } from 'node:http';
import { statSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { startTestEmulator } from '../../kit/emulator.js';
import { clusterWithInstance } from '../../kit/emulator-fixtures.js';
import { waitUntil } from '../../kit/wait.js';

function post(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { Host: host, 'X-Amz-Target': 'AmazonEC2ContainerServiceV20141113.ListClusters', 'Content-Type': 'application/x-amz-json-1.1' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

t.test('a rebinding Host is refused on the API and on websocket upgrades', async (t) => {
  const { emu } = await startTestEmulator(t);
  const refused = await post(emu.port, 'attacker.example');
  t.equal(refused.status, 403);
  t.match(JSON.parse(refused.body), { __type: 'AccessDeniedException', message: /DNS rebinding protection/ });
  t.equal((await post(emu.port, `127.0.0.1:${emu.port}`)).status, 200);
  t.equal((await post(emu.port, `localhost:${emu.port}`)).status, 200);
  const ws = new WebSocket(`ws://127.0.0.1:${emu.port}/tcs/ws?containerInstance=x`, { headers: { Host: 'attacker.example' } });
  const outcome = await new Promise<string>((resolve) => {
    ws.once('open', () => resolve('open'));
    ws.once('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
    ws.once('error', (err) => resolve(`error ${err.message}`));
  });
  t.match(outcome, /403/, 'the upgrade is refused');
  ws.terminate();
});

t.test('a 50 MB websocket frame closes the socket and the emulator does not buffer it', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  const { instanceArn } = await clusterWithInstance(ecs);
  const ws = new WebSocket(`ws://127.0.0.1:${emu.port}/tcs/ws?containerInstance=${encodeURIComponent(instanceArn)}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const before = process.memoryUsage().rss;
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.send(Buffer.alloc(50 * 1024 * 1024, 0x61));
  t.equal(await closed, 1009, 'closed with 1009 (message too big)');
  const grown = (process.memoryUsage().rss - before) / 2 ** 20;
  t.ok(grown < 150, `memory stayed bounded (${grown.toFixed(0)} MiB more, the sender's own 50 MB buffer included)`);
});

t.test('the data dir is the owner\'s only: dir 0700, database 0600', async (t) => {
  const { dataDir } = await startTestEmulator(t);
  t.equal(statSync(dataDir).mode & 0o777, 0o700);
  t.equal(statSync(path.join(dataDir, 'emulator.db')).mode & 0o777, 0o600);
});

t.test('a body over the limit is answered with the protocol\'s error, and a client that leaves mid-body is no error', async (t) => {
  const lines: string[] = [];
  const { startEmulator } = await import('../../../src/emulator/index.js');
  const { createLogger } = await import('../../../src/shared/log.js');
  const emu = await startEmulator({ port: 0, dataDir: t.testdir(), log: createLogger({ level: 'debug' }, { write: (l: string) => void lines.push(l) }), ecrRegistry: false });
  t.teardown(() => emu.close());
  const big = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: emu.port, method: 'POST', path: '/', headers: { 'X-Amz-Target': 'AmazonEC2ContainerServiceV20141113.ListClusters', 'Content-Type': 'application/x-amz-json-1.1' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    // 12 MB in 1 MB writes: the emulator answers once it has seen more than its 10 MB.
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const more = (): void => {
      while (sent < 12) {
        sent++;
        if (!req.write(chunk)) return void req.once('drain', more);
      }
      req.end();
    };
    more();
  });
  t.equal(big.status, 413);
  t.match(JSON.parse(big.body), { __type: 'SerializationException', message: /Request body too large/ });

  await new Promise<void>((resolve) => {
    const req = request({ host: '127.0.0.1', port: emu.port, method: 'POST', path: '/', headers: { 'X-Amz-Target': 'AmazonEC2ContainerServiceV20141113.ListClusters', 'Content-Length': 1000 } });
    req.on('error', () => resolve());
    req.write('{"clus');
    setImmediate(() => req.destroy());
    req.on('close', () => resolve());
  });
  await waitUntil('the emulator to notice the client left', () => lines.some((l) => l.includes('client closed the connection mid-request')), { timeoutMs: 5000 });
  t.notOk(lines.some((l) => l.includes('"level":50')), 'no error-level line for a client that went away');
});
