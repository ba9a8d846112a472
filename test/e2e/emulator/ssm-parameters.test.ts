/**
 * The emulator's SSM Parameter Store (container secrets with an SSM valueFrom live there): driven through the
 * aws CLI like a user would, and with raw requests for malformed input. Parameters survive an emulator restart;
 * the ECS API and Secrets Manager on the same port keep working.
 */
import t from 'tap';
import { ListClustersCommand } from '@aws-sdk/client-ecs';
import { awsCli, awsCliOk, haveAwsCli, type Json } from '../../kit/aws-cli.js';
import { startTestEmulator, tempDataDir } from '../../kit/emulator.js';




const ssm = (url: string, ...args: string[]) => awsCli(url, ['ssm', ...args]);

const ok = (url: string, ...args: string[]) => awsCliOk(url, ['ssm', ...args]);

async function raw(url: string, op: string, body: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, { method: 'POST', headers: { 'X-Amz-Target': `AmazonSSM.${op}`, 'Content-Type': 'application/x-amz-json-1.1' }, body });
  return { status: res.status, body: (await res.json()) as Json };
}

t.test('aws ssm put-parameter, get-parameters, get-parameter and delete-parameter work against the emulator and survive a restart', { skip: haveAwsCli() ? false : 'aws CLI not on PATH' }, async (t) => {
  const dataDir = tempDataDir(t);
  const first = await startTestEmulator(t, { dataDir });
  const url = first.emu.url;

  t.same(await ok(url, 'put-parameter', '--name', '/app/db/password', '--value', 'hunter2', '--type', 'SecureString'), { Version: 1, Tier: 'Standard' });
  await ok(url, 'put-parameter', '--name', 'plain', '--value', 'one', '--type', 'String');

  const both = await ok(url, 'get-parameters', '--names', '/app/db/password', 'plain', 'nope', '--with-decryption');
  const params = both['Parameters'] as Json[];
  t.same(params.map((p) => [p['Name'], p['Value'], p['Type'], p['Version']]), [['/app/db/password', 'hunter2', 'SecureString', 1], ['plain', 'one', 'String', 1]]);
  t.match(params[0]!['ARN'], /^arn:aws:ssm:us-east-1:\d{12}:parameter\/app\/db\/password$/, 'the ARN does not repeat the leading slash');
  t.same(both['InvalidParameters'], ['nope'], 'unknown names come back in InvalidParameters, not as an error');

  const encrypted = await ok(url, 'get-parameter', '--name', '/app/db/password');
  t.not((encrypted['Parameter'] as Json)['Value'], 'hunter2', 'a SecureString is not shown without --with-decryption');
  const arn = params[0]!['ARN'] as string;
  const byArn = await ok(url, 'get-parameters', '--names', arn, '--with-decryption');
  t.same((byArn['Parameters'] as Json[]).map((p) => [p['Name'], p['Value']]), [[arn, 'hunter2']], 'by ARN, named as requested');

  t.match(await ssm(url, 'put-parameter', '--name', 'plain', '--value', 'two', '--type', 'String'), { ok: false, error: /ParameterAlreadyExists/ });
  t.same(await ok(url, 'put-parameter', '--name', 'plain', '--value', 'two', '--overwrite'), { Version: 2, Tier: 'Standard' }, 'Overwrite keeps the type and bumps the version');
  t.match(await ssm(url, 'put-parameter', '--name', 'new', '--value', 'x'), { ok: false, error: /ValidationException.*type is required/ });
  t.match(await ssm(url, 'put-parameter', '--name', 'a/b', '--value', 'x', '--type', 'String'), { ok: false, error: /ValidationException.*fully qualified/ });
  t.match(await ssm(url, 'put-parameter', '--name', 'bad name', '--value', 'x', '--type', 'String'), { ok: false, error: /ValidationException/ });
  t.match(await ssm(url, 'get-parameter', '--name', 'nope'), { ok: false, error: /ParameterNotFound/ });

  // Restart on the same data dir: the parameters are in SQLite.
  await first.emu.close();
  const second = await startTestEmulator(t, { dataDir });
  const url2 = second.emu.url;
  const kept = await ok(url2, 'get-parameter', '--name', 'plain');
  t.same([(kept['Parameter'] as Json)['Value'], (kept['Parameter'] as Json)['Version']], ['two', 2], 'kept across a restart');
  t.same((await second.ecs.send(new ListClustersCommand({}))).clusterArns, [], 'the ECS API still answers on the same port');

  t.same(await ok(url2, 'delete-parameter', '--name', 'plain'), {});
  t.match(await ssm(url2, 'delete-parameter', '--name', 'plain'), { ok: false, error: /ParameterNotFound/ });
  t.same((await ok(url2, 'get-parameters', '--names', 'plain'))['InvalidParameters'], ['plain']);
});

t.test('malformed SSM requests get SSM-shaped errors', async (t) => {
  const { emu } = await startTestEmulator(t);
  t.same(await raw(emu.url, 'GetParameters', '{'), { status: 400, body: { __type: 'SerializationException', message: 'Start of structure or map found where not expected.' } });
  t.match(await raw(emu.url, 'GetParameters', '{}'), { status: 400, body: { __type: 'ValidationException', message: /names/ } }, 'Names is required');
  t.match(await raw(emu.url, 'GetParameters', '{"Names":[]}'), { status: 400, body: { __type: 'ValidationException' } }, 'at least one name');
  const eleven = JSON.stringify({ Names: Array.from({ length: 11 }, (_, i) => `p${i}`) });
  t.match(await raw(emu.url, 'GetParameters', eleven), { status: 400, body: { __type: 'ValidationException', message: /less than or equal to 10/ } }, 'at most 10 names');
  t.match(await raw(emu.url, 'GetParameters', '{"Names":[7]}'), { status: 400, body: { __type: 'SerializationException' } });
  t.match(await raw(emu.url, 'GetParameter', '{"Name":"x","WithDecryption":"yes"}'), { status: 400, body: { __type: 'SerializationException' } });
  t.match(await raw(emu.url, 'PutParameter', '{"Name":"x","Type":"String"}'), { status: 400, body: { __type: 'ValidationException', message: /value/ } }, 'Value is required');
  t.match(await raw(emu.url, 'PutParameter', '{"Name":"x","Value":"v","Type":"Blob"}'), { status: 400, body: { __type: 'ValidationException', message: /enum/ } });
  t.match(await raw(emu.url, 'PutParameter', JSON.stringify({ Name: 'x', Value: 'v'.repeat(4097), Type: 'String' })), { status: 400, body: { __type: 'ValidationException', message: /4096/ } });
  t.match(await raw(emu.url, 'PutParameter', '{"Name":"/aws/x","Value":"v","Type":"String"}'), { status: 400, body: { __type: 'ValidationException', message: /prefixed/ } });
  t.match(await raw(emu.url, 'PutParameter', '{"Name":"x","Value":"v","Type":"String","KeyId":"alias/k"}'), { status: 400, body: { __type: 'ValidationException' } }, 'KeyId is for SecureString only');
  const deep = `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`;
  t.match(await raw(emu.url, 'PutParameter', JSON.stringify({ Name: deep, Value: 'v', Type: 'String' })), { status: 400, body: { __type: 'HierarchyLevelLimitExceededException' } });
  t.match(await raw(emu.url, 'LabelParameterVersion', '{}'), { status: 400, body: { __type: 'UnknownOperationException' } });
  t.same(await raw(emu.url, 'GetParameter', '{"Name":"none"}'), { status: 400, body: { __type: 'ParameterNotFound', message: 'Parameter none not found.' } });
  // A parameter of another region or account is not this emulator's.
  t.same((await raw(emu.url, 'PutParameter', '{"Name":"here","Value":"v","Type":"String"}')).status, 200);
  const foreign = 'arn:aws:ssm:eu-west-3:999999999999:parameter/here';
  t.same((await raw(emu.url, 'GetParameters', JSON.stringify({ Names: [foreign] }))).body, { Parameters: [], InvalidParameters: [foreign] });
  const ecs = await fetch(emu.url, { method: 'POST', headers: { 'X-Amz-Target': 'AmazonEC2ContainerServiceV20141113.ListClusters', 'Content-Type': 'application/x-amz-json-1.1' }, body: '{}' });
  t.same(await ecs.json(), { clusterArns: [] }, 'ECS routing unchanged');
});
