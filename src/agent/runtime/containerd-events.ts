/**
 * Container exits and OOM kills straight from containerd's event service, beside Docker's own event stream.
 *
 * Why: under a burst (50 containers stopping at once) dockerd handles containerd's exit events one after the
 * other (network release, unmount, state write) and its `die` event for the last container reaches clients
 * ~600 ms after the process exited; containerd publishes `/tasks/exit` within milliseconds. Docker's Engine API
 * stays the source of truth for everything else: this stream only tells the engine earlier that a container's
 * init process exited, with its exit status and time (and that the kernel OOM-killed one of its processes, so
 * that such an exit is left to Docker's inspect, which reports OOMKilled). dockerd's containers live in containerd namespace `moby`
 * under their Docker IDs, so an exit maps to a container without any lookup.
 *
 * The wire: gRPC `containerd.services.events.v1.Events/Subscribe` (server stream of Envelope), with the
 * payload in a protobuf Any (`containerd.events.TaskExit`, `containerd.events.TaskOOM`). The message types are declared here (a handful of
 * fields) rather than loaded from .proto files. @grpc/grpc-js and protobufjs are dockerode's own dependencies.
 */
import { Client, credentials, Metadata, type ClientReadableStream } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import type { ProcessEvent } from './runtime.js';
import { realClock } from '../../shared/clock.js';

const NAMESPACE = 'moby';
const SUBSCRIBE = '/containerd.services.events.v1.Events/Subscribe';
const TASK_EXIT = 'containerd.events.TaskExit';
const TASK_OOM = 'containerd.events.TaskOOM';

const root = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Timestamp: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
            Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
          },
        },
      },
    },
    containerd: {
      nested: {
        events: {
          nested: {
            TaskOOM: { fields: { container_id: { type: 'string', id: 1 } } },
            TaskExit: {
              fields: {
                container_id: { type: 'string', id: 1 },
                id: { type: 'string', id: 2 },
                pid: { type: 'uint32', id: 3 },
                exit_status: { type: 'uint32', id: 4 },
                exited_at: { type: 'google.protobuf.Timestamp', id: 5 },
              },
            },
          },
        },
        services: {
          nested: {
            events: {
              nested: {
                v1: {
                  nested: {
                    SubscribeRequest: { fields: { filters: { rule: 'repeated', type: 'string', id: 1 } } },
                    Envelope: {
                      fields: {
                        timestamp: { type: 'google.protobuf.Timestamp', id: 1 },
                        namespace: { type: 'string', id: 2 },
                        topic: { type: 'string', id: 3 },
                        event: { type: 'google.protobuf.Any', id: 4 },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
});

const SubscribeRequest = root.lookupType('containerd.services.events.v1.SubscribeRequest');
const Envelope = root.lookupType('containerd.services.events.v1.Envelope');
const TaskExit = root.lookupType(TASK_EXIT);
const TaskOOM = root.lookupType(TASK_OOM);
const OBJECT_OPTIONS = { longs: Number, defaults: true } as const;

interface TimestampObject {
  seconds: number;
  nanos: number;
}

interface EnvelopeObject {
  namespace: string;
  topic: string;
  event?: { type_url: string; value: Uint8Array };
}

interface TaskExitObject {
  container_id: string;
  id: string;
  exit_status: number;
  exited_at?: TimestampObject;
}

/** Decodes one Envelope; undefined for anything but an init-process exit or an OOM kill in `moby`. */
export function decodeProcessEvent(frame: Uint8Array): ProcessEvent | undefined {
  const env = Envelope.toObject(Envelope.decode(frame), OBJECT_OPTIONS) as EnvelopeObject;
  if (env.namespace !== NAMESPACE || !env.event) return undefined;
  if (env.topic === '/tasks/oom' && env.event.type_url.endsWith(TASK_OOM)) {
    const oom = TaskOOM.toObject(TaskOOM.decode(env.event.value), OBJECT_OPTIONS) as { container_id: string };
    return oom.container_id === '' ? undefined : { kind: 'oom', id: oom.container_id };
  }
  if (env.topic !== '/tasks/exit' || !env.event.type_url.endsWith(TASK_EXIT)) return undefined;
  const exit = TaskExit.toObject(TaskExit.decode(env.event.value), OBJECT_OPTIONS) as TaskExitObject;
  // Exec processes (health checks, docker exec) exit under their own ID; only the init process ends the container.
  if (exit.id !== exit.container_id || exit.container_id === '') return undefined;
  const at = exit.exited_at;
  return {
    kind: 'exit',
    id: exit.container_id,
    exitCode: exit.exit_status,
    exitedAt: at && at.seconds > 0 ? at.seconds * 1000 + Math.floor(at.nanos / 1e6) : realClock.now(),
  };
}

/** Encodes an Envelope carrying a TaskExit (tests feed decodeProcessEvent with it). */
export function encodeExitEnvelope(e: { namespace?: string; containerId: string; processId?: string; exitStatus: number; exitedAtMs: number }): Uint8Array {
  const exitedAt = { seconds: Math.floor(e.exitedAtMs / 1000), nanos: (e.exitedAtMs % 1000) * 1e6 };
  const value = TaskExit.encode(TaskExit.fromObject({ container_id: e.containerId, id: e.processId ?? e.containerId, exit_status: e.exitStatus, exited_at: exitedAt })).finish();
  return Envelope.encode(
    Envelope.fromObject({ namespace: e.namespace ?? NAMESPACE, topic: '/tasks/exit', timestamp: exitedAt, event: { type_url: `types.containerd.io/${TASK_EXIT}`, value } }),
  ).finish();
}

/**
 * Streams init-process exits and OOM kills of dockerd's containers until the stream ends or `signal` aborts; resolves when
 * it ends (the caller reopens it), rejects when containerd cannot be reached or refuses the subscription.
 */
export function streamContainerdEvents(socketPath: string, onEvent: (e: ProcessEvent) => void, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  const client = new Client(`unix://${socketPath}`, credentials.createInsecure(), { 'grpc.default_authority': 'localhost' });
  const request = SubscribeRequest.encode(SubscribeRequest.fromObject({ filters: [`namespace==${NAMESPACE},topic=="/tasks/exit"`, `namespace==${NAMESPACE},topic=="/tasks/oom"`] })).finish();
  const call: ClientReadableStream<Uint8Array> = client.makeServerStreamRequest(
    SUBSCRIBE,
    (req: Uint8Array) => Buffer.from(req),
    (buf: Buffer) => new Uint8Array(buf),
    request,
    new Metadata(),
    {},
  );
  return new Promise<void>((resolve, reject) => {
    const finish = (err?: Error): void => {
      signal.removeEventListener('abort', onAbort);
      client.close();
      if (err && !signal.aborted) reject(err);
      else resolve();
    };
    const onAbort = (): void => call.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    call.on('data', (frame: Uint8Array) => {
      let event: ProcessEvent | undefined;
      try {
        event = decodeProcessEvent(frame);
      } catch {
        return; // a frame this decoder does not understand is not an event berth can use
      }
      if (event) onEvent(event);
    });
    call.on('error', (err: Error) => finish(err));
    call.on('end', () => finish());
  });
}

/** dockerd's own containerd (started by dockerd) first, then a system containerd. */
export const CONTAINERD_SOCKETS = ['/var/run/docker/containerd/containerd.sock', '/run/docker/containerd/containerd.sock', '/run/containerd/containerd.sock'];
