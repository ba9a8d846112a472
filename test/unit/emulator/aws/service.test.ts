/**
 * The protocol kit end to end (src/emulator/aws/service.ts): a toy AWS JSON service whose one operation is one
 * declaration, served over HTTP and driven by the real aws CLI, which learns the toy service from a model file
 * in ~/.aws/models (botocore reads custom models from there).
 */
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { awsJsonService, withoutNulls } from '../../../../src/emulator/aws/service.js';
import { toServiceModel, type BotocoreModel } from '../../../../scripts/generate-aws-models.js';
import { awsCli, skipWithoutAwsCli } from '../../../kit/aws-cli.js';
import { testLogger } from '../../../kit/harness.js';

/** The toy service's botocore model; `extraOperation` is an operation only the CLI's copy knows. */
function toyModel(extraOperation?: string): BotocoreModel & Record<string, unknown> {
  const operations: BotocoreModel['operations'] = { PutThing: { input: { shape: 'PutThingRequest' } } };
  if (extraOperation) operations[extraOperation] = { input: { shape: 'PutThingRequest' } };
  return {
    version: '2.0',
    metadata: {
      apiVersion: '2026-12-07', endpointPrefix: 'berthtoy', jsonVersion: '1.1', protocol: 'json', serviceId: 'BerthToy',
      signatureVersion: 'v4', targetPrefix: 'BerthToy_20261207', uid: 'berthtoy-2026-12-07',
    } as BotocoreModel['metadata'],
    operations: Object.fromEntries(Object.entries(operations).map(([name, op]) => [name, {
      name, http: { method: 'POST', requestUri: '/' }, input: op.input, output: { shape: 'PutThingResponse' }, errors: [{ shape: 'ThingExistsException' }],
    }])) as BotocoreModel['operations'],
    shapes: {
      PutThingRequest: { type: 'structure', required: ['Name'], members: { Name: { shape: 'ThingName' }, Count: { shape: 'Count' } } },
      PutThingResponse: { type: 'structure', members: { Stored: { shape: 'ThingName' } } },
      ThingName: { type: 'string', min: 1, max: 16 },
      Count: { type: 'integer', min: 0, max: 9 },
      ThingExistsException: { type: 'structure', members: { message: { shape: 'ThingName' } }, exception: true },
    } as BotocoreModel['shapes'],
  };
}

interface ToyOperations {
  PutThing: { Name: string; Count?: number };
}

t.test('a toy operation is one declaration and answers the aws CLI, with well-formed errors for bad input and a misspelt operation', skipWithoutAwsCli(), async (t) => {
  const toy = awsJsonService<ToyOperations, 'ThingExistsException', { log: ReturnType<typeof testLogger> }>({
    model: toServiceModel(toyModel(), ['PutThing']),
    internalError: 'InternalFailure',
  });
  const stored = new Set<string>();
  toy.operation('PutThing', {
    errors: ['ThingExistsException'],
    handle(_deps, input) {
      if (stored.has(input.Name)) throw toy.error('ThingExistsException', `Thing ${input.Name} exists.`);
      stored.add(input.Name);
      return { Stored: input.Name };
    },
  });
  // These would not compile, which is the point: operation names and error codes come from the model.
  // @ts-expect-error a misspelt operation
  t.throws(() => toy.operation('PutThng', { handle: () => ({}) }), /BerthToy has no operation PutThng/);
  // @ts-expect-error a misspelt exception name
  void toy.error('ThingExistException', 'x');

  const deps = { log: testLogger() };
  const server = createServer((req, res) => void toy.serve(deps, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // The CLI's copy of the model also has the misspelling 'PutThng', which the service does not know.
  const home = mkdtempSync(path.join(tmpdir(), 'berth-toy-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  mkdirSync(path.join(home, '.aws/models/berthtoy/2026-12-07'), { recursive: true });
  writeFileSync(path.join(home, '.aws/models/berthtoy/2026-12-07/service-2.json'), JSON.stringify(toyModel('PutThng')));
  // Without the CLI's own parameter check, a request missing a required member reaches the service, as from any client.
  writeFileSync(path.join(home, 'config'), '[default]\nparameter_validation = false\n');
  const env = { HOME: home, AWS_CONFIG_FILE: path.join(home, 'config') };
  const cli = (...args: string[]) => awsCli(url, ['berthtoy', ...args], env);

  t.same(await cli('put-thing', '--name', 'anvil', '--count', '3'), { ok: true, out: { Stored: 'anvil' } });
  t.match(await cli('put-thing', '--name', 'anvil'), { ok: false, error: /An error occurred \(ThingExistsException\) when calling the PutThing operation: Thing anvil exists\./ });
  t.match(await cli('put-thing', '--cli-input-json', '{"Count":3}'), {
    ok: false,
    error: /An error occurred \(ValidationException\) when calling the PutThing operation: 1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null/,
  }, 'a missing required member');
  t.match(await cli('put-thing', '--name', 'a-name-far-too-long', '--count', '12'), {
    ok: false,
    error: /\(ValidationException\) when calling the PutThing operation: 2 validation errors detected: Value at 'name' failed to satisfy constraint: Member must have length less than or equal to 16; Value at 'count' failed to satisfy constraint: Member must have value less than or equal to 9/,
  }, 'every violation, in Coral\'s words');
  t.match(await cli('put-thng', '--name', 'anvil'), {
    ok: false,
    error: /An error occurred \(UnknownOperationException\) when calling the PutThng operation: Unknown operation BerthToy_20261207\.PutThng \(berth's BerthToy serves PutThing only\)/,
  }, 'a misspelt operation');

  const raw = await fetch(url, { method: 'POST', headers: { 'X-Amz-Target': 'BerthToy_20261207.PutThing' }, body: '{"Name":7}' });
  t.equal(raw.status, 400);
  t.match(raw.headers.get('x-amzn-requestid'), /^[0-9a-f-]{36}$/, 'every answer carries a request id');
  t.same(await raw.json(), { __type: 'SerializationException', message: 'Invalid type for Name: expected a string.' }, 'a wrong JSON type fails deserialization');
});

t.test('a member set to null is a member left out, at every depth (AWS JSON protocols)', async (t) => {
  t.same(withoutNulls({ a: null, b: 1, c: { d: null, e: 'x' }, f: [null, { g: null, h: 2 }] }), { b: 1, c: { e: 'x' }, f: [null, { h: 2 }] });
});
