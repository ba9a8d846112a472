/**
 * The emulator's Secrets Manager (private registry credentials live there): driven through the aws CLI like a
 * user would, and with raw requests for malformed input. Secrets survive an emulator restart; the ECS API on
 * the same port keeps working.
 */
import t from 'tap';
import { ListClustersCommand } from '@aws-sdk/client-ecs';
import { awsCli, awsCliOk, haveAwsCli, type Json } from '../../kit/aws-cli.js';
import { startTestEmulator, tempDataDir } from '../../kit/emulator.js';




const sm = (url: string, ...args: string[]) => awsCli(url, ['secretsmanager', ...args]);

const ok = (url: string, ...args: string[]) => awsCliOk(url, ['secretsmanager', ...args]);

async function raw(url: string, target: string, body: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, { method: 'POST', headers: { 'X-Amz-Target': target, 'Content-Type': 'application/x-amz-json-1.1' }, body });
  return { status: res.status, body: (await res.json()) as Json };
}

t.test('aws secretsmanager create, get, list and delete work against the emulator and survive a restart', { skip: haveAwsCli() ? false : 'aws CLI not on PATH' }, async (t) => {
  const dataDir = tempDataDir(t);
  const first = await startTestEmulator(t, { dataDir });
  const url = first.emu.url;
  const secret = JSON.stringify({ username: 'berth', password: 's3cret' });

  const created = await ok(url, 'create-secret', '--name', 'registry/creds', '--secret-string', secret, '--description', 'pull creds');
  t.match(created['ARN'], /^arn:aws:secretsmanager:us-east-1:\d{12}:secret:registry\/creds-[A-Za-z0-9]{6}$/, 'ARN with a 6-character suffix');
  t.equal(created['Name'], 'registry/creds');
  t.type(created['VersionId'], 'string');
  const arn = created['ARN'] as string;

  const byName = await ok(url, 'get-secret-value', '--secret-id', 'registry/creds');
  t.equal(byName['SecretString'], secret, 'by name');
  t.same(byName['VersionStages'], ['AWSCURRENT']);
  t.equal((await ok(url, 'get-secret-value', '--secret-id', arn))['SecretString'], secret, 'by ARN');
  t.equal((await ok(url, 'get-secret-value', '--secret-id', arn.slice(0, -7)))['SecretString'], secret, 'by partial ARN (no suffix)');

  const dup = await sm(url, 'create-secret', '--name', 'registry/creds', '--secret-string', 'x');
  t.match(dup, { ok: false, error: /ResourceExistsException/ }, 'a second secret of the same name is refused');
  const bad = await sm(url, 'create-secret', '--name', 'bad name!', '--secret-string', 'x');
  t.match(bad, { ok: false, error: /InvalidParameterException/ }, 'an invalid name is refused');
  const both = await sm(url, 'create-secret', '--name', 'both', '--secret-string', 'x', '--secret-binary', 'eA==');
  t.match(both, { ok: false, error: /InvalidParameterException/ }, 'string and binary at once are refused');
  const missing = await sm(url, 'get-secret-value', '--secret-id', 'nope');
  t.match(missing, { ok: false, error: /ResourceNotFoundException.*can't find the specified secret/ });

  await ok(url, 'create-secret', '--name', 'other', '--secret-string', 'v');
  const listed = (await ok(url, 'list-secrets'))['SecretList'] as Json[];
  t.same(listed.map((s) => s['Name']), ['other', 'registry/creds'], 'both listed');
  t.equal(listed[1]!['Description'], 'pull creds');
  t.notOk('SecretString' in listed[1]!, 'values are never listed');

  // Restart on the same data dir: the secrets are in SQLite.
  await first.emu.close();
  const second = await startTestEmulator(t, { dataDir });
  const url2 = second.emu.url;
  t.equal((await ok(url2, 'get-secret-value', '--secret-id', arn))['SecretString'], secret, 'kept across a restart');
  t.same((await second.ecs.send(new ListClustersCommand({}))).clusterArns, [], 'the ECS API still answers on the same port');

  // Scheduled deletion: reads refused, hidden from the list; force deletion removes it for good.
  const scheduled = await ok(url2, 'delete-secret', '--secret-id', 'other', '--recovery-window-in-days', '7');
  t.type(scheduled['DeletionDate'], 'number');
  t.match(await sm(url2, 'get-secret-value', '--secret-id', 'other'), { ok: false, error: /InvalidRequestException.*marked for deletion/ });
  t.same(((await ok(url2, 'list-secrets'))['SecretList'] as Json[]).map((s) => s['Name']), ['registry/creds']);
  const conflicting = await sm(url2, 'delete-secret', '--secret-id', arn, '--force-delete-without-recovery', '--recovery-window-in-days', '7');
  t.match(conflicting, { ok: false, error: /InvalidParameterException/ }, 'force and a recovery window are exclusive');
  const gone = await ok(url2, 'delete-secret', '--secret-id', arn, '--force-delete-without-recovery');
  t.equal(gone['Name'], 'registry/creds');
  t.match(await sm(url2, 'get-secret-value', '--secret-id', arn), { ok: false, error: /ResourceNotFoundException/ });
  t.match(await sm(url2, 'delete-secret', '--secret-id', arn, '--force-delete-without-recovery'), { ok: false, error: /ResourceNotFoundException/ });
});

t.test('malformed Secrets Manager requests get Secrets Manager-shaped errors', async (t) => {
  const { emu } = await startTestEmulator(t);
  t.same(await raw(emu.url, 'secretsmanager.GetSecretValue', '{'), { status: 400, body: { __type: 'SerializationException', message: 'Start of structure or map found where not expected.' } });
  t.match(await raw(emu.url, 'secretsmanager.GetSecretValue', '{}'), { status: 400, body: { __type: 'ValidationException', message: "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null" } }, 'SecretId is required (Coral\'s check, before the service)');
  t.match(await raw(emu.url, 'secretsmanager.GetSecretValue', '{"SecretId":7}'), { status: 400, body: { __type: 'SerializationException' } });
  t.match(await raw(emu.url, 'secretsmanager.RotateSecret', '{}'), { status: 400, body: { __type: 'UnknownOperationException' } });
  t.same(await raw(emu.url, 'secretsmanager.GetSecretValue', '{"SecretId":"none"}'), {
    status: 400,
    body: { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." },
  });
  t.match(await raw(emu.url, 'secretsmanager.ListSecrets', '{"NextToken":"garbage"}'), { status: 400, body: { __type: 'InvalidNextTokenException' } });
  t.match(await raw(emu.url, 'secretsmanager.ListSecrets', '{"MaxResults":0}'), { status: 400, body: { __type: 'ValidationException', message: /at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1/ } });
  t.match(await raw(emu.url, 'secretsmanager.ListSecrets', '{"SortOrder":"asc"}'), { status: 400, body: { __type: 'ValidationException', message: 'SortOrder of ListSecrets is not emulated by berth' } }, 'a model member berth does not honour is refused, never dropped');
  t.match(await raw(emu.url, 'secretsmanager.RotateSecret', '{}'), { status: 400, body: { __type: 'UnknownOperationException', message: /^Secrets Manager RotateSecret is not emulated by berth/ } }, 'an operation of the model berth does not serve is named');
  // A secret without a value exists but has no AWSCURRENT version to read.
  t.equal((await raw(emu.url, 'secretsmanager.CreateSecret', '{"Name":"empty"}')).status, 200);
  t.match(await raw(emu.url, 'secretsmanager.GetSecretValue', '{"SecretId":"empty"}'), { status: 400, body: { __type: 'ResourceNotFoundException', message: /staging label: AWSCURRENT/ } });
  // Pages.
  for (const n of ['a', 'b', 'c']) await raw(emu.url, 'secretsmanager.CreateSecret', JSON.stringify({ Name: `p-${n}`, SecretString: n }));
  const page1 = await raw(emu.url, 'secretsmanager.ListSecrets', '{"MaxResults":2}');
  t.equal((page1.body['SecretList'] as Json[]).length, 2);
  const page2 = await raw(emu.url, 'secretsmanager.ListSecrets', JSON.stringify({ MaxResults: 2, NextToken: page1.body['NextToken'] }));
  t.same((page2.body['SecretList'] as Json[]).map((s) => s['Name']), ['p-b', 'p-c']);
  t.notOk('NextToken' in page2.body, 'last page');
  t.match(await raw(emu.url, 'AmazonEC2ContainerServiceV20141113.ListClusters', '{}'), { status: 200, body: { clusterArns: [] } }, 'ECS routing unchanged');
});
