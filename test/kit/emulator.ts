import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ECSClient } from '@aws-sdk/client-ecs';
import { silentLogger } from '../../src/shared/log.js';
import { waitUntil } from './wait.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';

/** The part of a tap Test these helpers use. */
export interface Teardownable {
  teardown(fn: () => unknown): void;
}

export function tempDataDir(t: Teardownable): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-emu-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface TestEmulator {
  emu: Emulator;
  ecs: ECSClient;
  dataDir: string;
}

/** A real emulator on port 0 with a fast heartbeat, closed in teardown. */
export async function startTestEmulator(
  t: Teardownable,
  opts: { dataDir?: string; heartbeatIntervalMs?: number; serviceTickMs?: number; ecrRegistry?: boolean } = {},
): Promise<TestEmulator> {
  const dataDir = opts.dataDir ?? tempDataDir(t);
  const emu = await startEmulator({
    port: 0,
    dataDir,
    log: silentLogger(),
    heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 100,
    serviceTickMs: opts.serviceTickMs ?? 50,
    // The built-in ECR registry is a process of its own: only the tests that use it start one.
    ecrRegistry: opts.ecrRegistry ? {} : false,
  });
  const ecs = new ECSClient({
    endpoint: emu.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
  t.teardown(async () => {
    ecs.destroy();
    await emu.close();
  });
  return { emu, ecs, dataDir };
}

export interface RawResponse {
  status: number;
  contentType: string | null;
  body: Record<string, unknown>;
}

/** One AWS JSON 1.1 call with fetch, for asserting the wire format itself. */
export async function rawCall(url: string, op: string | undefined, body: string | object): Promise<RawResponse> {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-amz-json-1.1' };
  if (op !== undefined) headers['X-Amz-Target'] = `AmazonEC2ContainerServiceV20141113.${op}`;
  const res = await fetch(`${url}/`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
}

/** Polls `check` until it returns a value or the deadline passes. */
export function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  return waitUntil('the condition', check, { timeoutMs });
}

/** Resources an agent registers: 2 vCPU, the given MiB, the usual reserved ports. */
export function totalResources(memory = 1024, cpu = 2048): {
  name: string;
  type: string;
  integerValue?: number;
  stringSetValue?: string[];
}[] {
  return [
    { name: 'CPU', type: 'INTEGER', integerValue: cpu },
    { name: 'MEMORY', type: 'INTEGER', integerValue: memory },
    { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2375', '2376', '51678', '51679'] },
    { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
  ];
}
