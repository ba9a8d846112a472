import t from 'tap';
import { hostOf, refuseHost } from '../../../src/emulator/host-check.js';

t.test('Host values the emulator serves, and the rebinding ones it refuses', async (t) => {
  for (const ok of ['127.0.0.1:8800', 'localhost:8800', 'LOCALHOST', '[::1]:8800', '10.1.2.3', 'ecs.lab.example:8800', undefined, '']) {
    t.equal(refuseHost(ok, ['ecs.lab.example']), undefined, String(ok));
  }
  t.match(refuseHost('attacker.example:8800', ['ecs.lab.example']), /Host 'attacker\.example' is not a name this emulator serves .*--hostname attacker\.example/);
  t.match(refuseHost('127.0.0.1.nip.io', []), /not a name this emulator serves/);
  t.equal(hostOf('[::1]:80'), '::1');
  t.equal(hostOf('Example.COM:443'), 'example.com');
});
