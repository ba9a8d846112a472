import t from 'tap';
import WebSocket from 'ws';
import { startTestEmulator } from '../../kit/emulator.js';
import { tcsFrameType } from '../../../src/shared/protocol/tcs.js';

function nextFrame(ws: WebSocket, type: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      if (frame['type'] === type) {
        ws.off('message', onMessage);
        resolve(frame);
      }
    };
    ws.on('message', onMessage);
  });
}

t.test('a telemetry frame behind a signed header block gets an AckPublishMetric', async (t) => {
  const { emu } = await startTestEmulator(t);
  const ws = new WebSocket(`${emu.url.replace('http', 'ws')}/tcs/ws?cluster=test&containerInstance=x&agentVersion=1.72.0`);
  t.teardown(() => ws.terminate());
  await new Promise((r) => ws.once('open', r));
  const ack = nextFrame(ws, 'AckPublishMetric');
  const envelope = { type: 'PublishMetricsRequest', message: { metadata: { cluster: 'test', idle: true, fin: true }, timestamp: 1 } };
  ws.send(`Authorization: AWS4-HMAC-SHA256 Credential=x\r\nHost: 127.0.0.1\r\nX-Amz-Date: 20260101T000000Z\r\n\r\n${JSON.stringify(envelope)}`);
  t.same(await ack, { type: 'AckPublishMetric', message: { message: 'ok' } });
  const health = nextFrame(ws, 'AckPublishHealth');
  ws.send(JSON.stringify({ type: 'PublishHealthRequest', message: {} }));
  t.ok(await health, 'a frame without headers is read too');
  t.ok(await nextFrame(ws, 'HeartbeatMessage'), 'heartbeats flow');
});

t.test('tcs frame types are read past the header block and garbage yields nothing', async (t) => {
  t.equal(tcsFrameType('A: b\r\n\r\n{"type":"PublishInstanceStatusRequest","message":{}}'), 'PublishInstanceStatusRequest');
  t.equal(tcsFrameType('A: b\r\n\r\nnot json'), undefined);
  t.equal(tcsFrameType('{"message":{}}'), undefined);
});
