import t from 'tap';
import { compileFilterPattern, requiredSubstrings, splitFields } from '../../../../src/emulator/logs/filter-pattern.js';

const APACHE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534';
const JSON_ERROR = '{"level":"error","ms":150,"user":{"id":7,"roles":["admin","dev"]},"retry":true,"gone":null}';
const JSON_INFO = '{"level":"info","ms":90,"user":{"id":8,"roles":["dev"]},"retry":false}';

// pattern, message, matches? One row per rule of CloudWatch Logs' filter pattern syntax.
const rows: [string, string, boolean][] = [
  ['', 'anything', true],
  ['""', 'anything', true],
  ['ERROR', 'an ERROR here', true],
  ['ERROR', 'an error here', false], // case-sensitive
  ['ERROR Exception', 'ERROR: NullPointerException', true], // every term
  ['ERROR Exception', 'ERROR only', false],
  ['"user not found"', 'the user not found today', true],
  ['"user not found"', 'user was not found', false],
  ['?ERROR ?WARN', 'a WARN line', true],
  ['?ERROR ?WARN', 'an INFO line', false],
  ['ERROR -health', 'ERROR in handler', true],
  ['ERROR -health', 'ERROR in health check', false],
  ['%[0-9]{3} ms%', 'took 250 ms', true],
  ['%[0-9]{3} ms%', 'took 25 ms', false],
  ['{ $.level = "error" }', JSON_ERROR, true],
  ['{ $.level = "error" }', JSON_INFO, false],
  ['{ $.level = err* }', JSON_ERROR, true], // wildcard
  ['{ $.level != "error" }', JSON_INFO, true],
  ['{ $.ms > 100 }', JSON_ERROR, true],
  ['{ $.ms >= 150 && $.ms <= 150 }', JSON_ERROR, true],
  ['{ $.ms < 100 }', JSON_ERROR, false],
  ['{ $.level = "error" && $.ms > 100 }', JSON_ERROR, true],
  ['{ $.level = "error" && $.ms > 200 }', JSON_ERROR, false],
  ['{ $.level = "info" || $.ms > 100 }', JSON_ERROR, true],
  ['{ ($.level = "info" || $.level = "error") && $.user.id = 7 }', JSON_ERROR, true],
  ['{ $.user.roles[0] = "admin" }', JSON_ERROR, true],
  ['{ $.user.roles[*] = "dev" }', JSON_INFO, true],
  ['{ $.retry IS TRUE }', JSON_ERROR, true],
  ['{ $.retry IS FALSE }', JSON_INFO, true],
  ['{ $.gone IS NULL }', JSON_ERROR, true],
  ['{ $.gone NOT EXISTS }', JSON_INFO, true],
  ['{ $.gone NOT EXISTS }', JSON_ERROR, false],
  ['{ $.level = "error" }', 'level=error, not JSON', false],
  ['[ip, id, user, timestamp, request, status_code = 404, bytes]', APACHE, true],
  ['[ip, id, user, timestamp, request, status_code = 4*, bytes > 1000]', APACHE, true],
  ['[ip, id, user, timestamp, request, status_code = 5*, bytes]', APACHE, false],
  ['[ip, id, user, timestamp, request, status_code = 404 || status_code = 410, bytes]', APACHE, true],
  ['[ip, user = frank, ...]', APACHE, false], // the second field is "-"
  ['[ip, ..., status_code, bytes < 2000]', APACHE, true],
  ['[a, b]', APACHE, false], // field counts must match without ...
  ['[ip, ..., request = "GET /apache_pb.gif HTTP/1.0", ...]', APACHE, false], // a later ... takes no fields: 7 fields needed 3
  ['[..., request = *apache*, status, bytes]', APACHE, true],
];

t.test('filter patterns match as CloudWatch Logs documents them', async (t) => {
  for (const [pattern, message, expected] of rows) {
    t.equal(compileFilterPattern(pattern)(message), expected, `${pattern} on ${message.slice(0, 40)}`);
  }
});

t.test('a pattern that does not parse is refused when compiled, not matched as text', async (t) => {
  for (const bad of ['{ $.level = "error" ', '{ level = "error" }', '{ $.a = }', '"open quote', '%(unclosed%', '[a, ... = 1]', '{ $.a IS MAYBE }']) {
    t.throws(() => compileFilterPattern(bad), { name: 'FilterPatternError' }, bad);
  }
});

t.test('space-delimited fields keep quoted and bracketed runs whole', async (t) => {
  t.same(splitFields(APACHE), ['127.0.0.1', '-', 'frank', '10/Oct/2000:13:25:15 -0700', 'GET /apache_pb.gif HTTP/1.0', '404', '1534']);
});

t.test('the texts a pattern requires narrow the scan without changing what matches', async (t) => {
  t.same(requiredSubstrings('ERROR "user not found" ?WARN -health %x+%'), ['ERROR', 'user not found']);
  t.same(requiredSubstrings('-"x y" ?"a b" ok'), ['ok'], 'excluded and alternative phrases promise nothing');
  t.same(requiredSubstrings('{ $.level = "error" }'), []);
  t.same(requiredSubstrings('[a, b = 1]'), []);
  t.same(requiredSubstrings(''), []);
  for (const [pattern, message, expected] of rows) {
    const required = requiredSubstrings(pattern).every((w) => message.includes(w));
    if (expected) t.ok(required, `a match of ${pattern} has every required text`);
  }
});
