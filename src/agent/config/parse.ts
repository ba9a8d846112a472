/**
 * Parsers for the value syntaxes the official agent accepts in its environment (spec §1.2-§1.3):
 * Go's strconv.ParseBool, Go's time.ParseDuration, JSON arrays/objects, and the ecs.config file format.
 */

/** Go strconv.ParseBool; undefined when unparsable (the official agent ignores such values with a warning). */
export function parseGoBool(raw: string): boolean | undefined {
  switch (raw) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False':
      return false;
    default:
      return undefined;
  }
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go time.ParseDuration ("3h", "1m30s", "500ms", "1.5h", "0") -> milliseconds; undefined when invalid. */
export function parseGoDuration(raw: string): number | undefined {
  let s = raw.trim();
  if (s === '') return undefined;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = re.lastIndex;
  }
  return pos === 0 ? undefined : sign * total;
}

/** /etc/ecs/ecs.config: trimmed, split on \n, each line trimmed and split on the first '='; no comments or quotes. */
export function parseEcsConfigFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rawLine of text.trim().split('\n')) {
    const line = rawLine.trim();
    const i = line.indexOf('=');
    if (i === -1) continue;
    out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Port range "lo-hi" (ECS_DYNAMIC_HOST_PORT_RANGE) or the kernel's "lo\thi" (ip_local_port_range). */
export function parsePortRange(raw: string): [number, number] | undefined {
  const m = /^\s*(\d+)\s*(?:-|\s)\s*(\d+)\s*$/.exec(raw);
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (lo < 1 || hi > 65535 || lo > hi) return undefined;
  return [lo, hi];
}
