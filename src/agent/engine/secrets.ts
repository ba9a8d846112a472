/**
 * Container secrets (ACS `secrets`, spec §5.3 "a resource fails to be created"): the values of every secret of
 * a task are read once, with the task's execution role credentials, before its first container with secrets is
 * created, the way the official agent's ssmsecret and asmsecret task resources do:
 *
 *   SSM   one GetParameters (WithDecryption) per region and per 10 names
 *   ASM   one GetSecretValue per distinct (secret, version-stage, version-id); `json-key` picks a member of it
 *
 * Values live in memory only, beside the task's record (a WeakMap keyed by it), and never reach a log line, an
 * error, a state change or the state store: the record holds `name` and `valueFrom`, the Docker create request
 * (never persisted) the values. A failure is a ResourceInitializationError carrying the official agent's
 * terminal reason; the task stops with it and no container is created. An agent restart before the create
 * reads them again (the official agent resets its secret resources the same way).
 */
import { BerthError, errorMessage } from '../../shared/errors.js';
import type { IAMRoleCredentials } from '../../shared/protocol/acs.js';
import { sleep } from '../../shared/clock.js';
import { getSecretValue, type SigningCredentials } from '../api/secrets-manager.js';
import { getParameters, SSM_MAX_NAMES } from '../api/ssm.js';
import type { ContainerSpec, SecretSpec, TaskRecord } from '../model/task.js';
import { parseAsmValueFrom, type AsmReference } from './secrets-spec.js';
import { realClock } from '../../shared/clock.js';

export interface TaskSecretsInput {
  rec: TaskRecord;
  /** The task's current execution role credentials (CredentialsStore, memory only). */
  credentials: () => IAMRoleCredentials | undefined;
  /** True once the task's desired status is STOPPED: waiting for credentials ends. */
  stopped: () => boolean;
  /** The agent's region (secrets without one) and where the services are. */
  region: string;
  ssmEndpoint: string | undefined;
  secretsManagerEndpoint: string | undefined;
  signal: AbortSignal;
  /** How long to wait for credentials ACS has not delivered yet (§5.4 step 8: 1 minute). */
  credentialsWaitMs?: number;
}

/** Resolved values by secretKey(); 'stopped' when the task was stopped while waiting for credentials. */
export type SecretValues = ReadonlyMap<string, string>;

const CREDENTIALS_POLL_MS = 200;

function resourceError(message: string): BerthError {
  return new BerthError('ResourceInitializationError', message);
}

function secretKey(s: SecretSpec, defaultRegion: string): string {
  return `${s.provider}\u0000${s.region || defaultRegion}\u0000${s.valueFrom}`;
}

function allSecrets(rec: TaskRecord): SecretSpec[] {
  return rec.spec.containers.flatMap((c) => c.secrets ?? []);
}

async function executionCredentials(input: TaskSecretsInput, which: string): Promise<SigningCredentials | 'stopped'> {
  const missing = (): BerthError => resourceError(`${which} secret resource: unable to find execution role credentials`);
  if (input.rec.spec.executionCredentialsId === undefined) throw missing();
  const deadline = realClock.now() + (input.credentialsWaitMs ?? 60_000);
  for (;;) {
    const c = input.credentials();
    if (c?.accessKeyId && c.secretAccessKey) return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken };
    if (input.stopped()) return 'stopped';
    if (realClock.now() >= deadline) throw missing();
    await sleep(CREDENTIALS_POLL_MS, input.signal);
  }
}

/** SSM: per region, batches of up to 10 names; the first failure is the reason (as the official agent). */
async function readSsm(input: TaskSecretsInput, secrets: SecretSpec[], credentials: SigningCredentials, out: Map<string, string>): Promise<void> {
  const byRegion = new Map<string, Set<string>>();
  for (const s of secrets) {
    const region = s.region || input.region;
    let names = byRegion.get(region);
    if (!names) byRegion.set(region, (names = new Set()));
    names.add(s.valueFrom);
  }
  const calls: Promise<void>[] = [];
  for (const [region, set] of byRegion) {
    const names = [...set];
    for (let i = 0; i < names.length; i += SSM_MAX_NAMES) {
      const batch = names.slice(i, i + SSM_MAX_NAMES);
      calls.push((async () => {
        const where = `fetching secret data from SSM Parameter Store in ${region}`;
        let got;
        try {
          got = await getParameters({ endpoint: input.ssmEndpoint, region, credentials, names: batch, signal: input.signal });
        } catch (err) {
          if (input.signal.aborted) throw err;
          throw resourceError(`${where}: ${errorMessage(err)}`);
        }
        const invalid = [...got.invalid, ...batch.filter((n) => !got.invalid.includes(n) && !got.values.has(n))];
        if (invalid.length) throw resourceError(`${where}: invalid parameters: ${invalid.join(',')}`);
        for (const name of batch) out.set(secretKey({ provider: 'ssm', valueFrom: name, region, name: '' }, input.region), got.values.get(name)!);
      })());
    }
  }
  await Promise.all(calls);
}

/** A json-key of a secret that is a JSON object; like the official agent, non-string members are printed. */
function memberOf(text: string, ref: AsmReference): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Never echo the parser's message: it quotes the secret.
    throw resourceError(`retrieved secret ${ref.secretId} from Secrets Manager is not JSON, so it has no json key ${ref.jsonKey!}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Object.hasOwn(parsed, ref.jsonKey!)) {
    throw resourceError(`retrieved secret from Secrets Manager did not contain json key ${ref.jsonKey!}`);
  }
  const v = (parsed as Record<string, unknown>)[ref.jsonKey!];
  return typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/** ASM: one GetSecretValue per distinct secret version; every failure is reported, joined by ';' (as the official agent). */
async function readAsm(input: TaskSecretsInput, secrets: SecretSpec[], credentials: SigningCredentials, out: Map<string, string>): Promise<void> {
  const reads = new Map<string, { ref: AsmReference; region: string; secrets: SecretSpec[] }>();
  for (const s of secrets) {
    const ref = parseAsmValueFrom(s.valueFrom);
    if (!ref) throw resourceError(`could not find a secretsmanager secretID from value ${s.valueFrom}`);
    const region = s.region || ref.region || input.region;
    const id = [region, ref.secretId, ref.versionStage ?? '', ref.versionId ?? ''].join('\u0000');
    const read = reads.get(id) ?? { ref, region, secrets: [] };
    read.secrets.push(s);
    reads.set(id, read);
  }
  const results = await Promise.allSettled([...reads.values()].map(async ({ ref, region, secrets: users }) => {
    let text: string;
    try {
      text = await getSecretValue({ endpoint: input.secretsManagerEndpoint, region, credentials, secretId: ref.secretId, versionStage: ref.versionStage, versionId: ref.versionId, signal: input.signal });
    } catch (err) {
      if (input.signal.aborted) throw err;
      const message = errorMessage(err);
      if (message.startsWith('ResourceNotFoundException')) {
        throw resourceError(`The task can't retrieve the secret with ARN '${ref.secretId}' from AWS Secrets Manager. Check that the secret ARN is correct: ${message}`);
      }
      throw resourceError(`unable to retrieve secret ${ref.secretId} from Secrets Manager: ${message}`);
    }
    const failures: string[] = [];
    for (const s of users) {
      const own = parseAsmValueFrom(s.valueFrom)!;
      try {
        out.set(secretKey(s, input.region), own.jsonKey === undefined ? text : memberOf(text, own));
      } catch (err) {
        failures.push(errorMessage(err));
      }
    }
    if (failures.length) throw resourceError([...new Set(failures)].join(';'));
  }));
  if (input.signal.aborted) throw input.signal.reason;
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [errorMessage(r.reason)] : []));
  if (failed.length) throw resourceError(failed.join(';'));
}

/** Reads every secret of the task. Throws ResourceInitializationError (or the signal's reason when aborted). */
export async function resolveTaskSecrets(input: TaskSecretsInput): Promise<SecretValues | 'stopped'> {
  const secrets = allSecrets(input.rec);
  const ssm = secrets.filter((s) => s.provider === 'ssm');
  const asm = secrets.filter((s) => s.provider === 'asm');
  const out = new Map<string, string>();
  if (secrets.length === 0) return out;
  // The official agent checks each resource's credentials first (fail fast); SSM's message comes first here.
  const credentials = await executionCredentials(input, ssm.length ? 'ssm' : 'ASM');
  if (credentials === 'stopped') return credentials;
  await Promise.all([ssm.length ? readSsm(input, ssm, credentials, out) : undefined, asm.length ? readAsm(input, asm, credentials, out) : undefined]);
  return out;
}

const perTask = new WeakMap<TaskRecord, Promise<SecretValues | 'stopped'>>();

/** resolveTaskSecrets once per task record: containers created concurrently share one read. */
export function taskSecrets(input: TaskSecretsInput): Promise<SecretValues | 'stopped'> {
  let p = perTask.get(input.rec);
  if (!p) {
    p = resolveTaskSecrets(input);
    perTask.set(input.rec, p);
    p.catch(() => undefined); // each caller handles the failure; the memo itself must not be an unhandled rejection
  }
  return p;
}

/** The environment variables a container's secrets become. */
/** A container's resolved secrets: environment variables, and log driver options (target LOG_DRIVER). */
export interface ContainerSecrets {
  env: Record<string, string>;
  logOptions: Record<string, string>;
}

export function containerSecretValues(spec: ContainerSpec, values: SecretValues, region: string): ContainerSecrets {
  const out: ContainerSecrets = { env: {}, logOptions: {} };
  for (const s of spec.secrets ?? []) {
    const v = values.get(secretKey(s, region));
    if (v === undefined) throw resourceError(`secret ${s.name} of container ${spec.name} was not resolved`);
    (s.target === 'LOG_DRIVER' ? out.logOptions : out.env)[s.name] = v;
  }
  return out;
}
