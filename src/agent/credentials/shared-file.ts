/**
 * The AWS shared credentials file format (INI), as far as instance credentials need it:
 * `[profile]` sections with aws_access_key_id, aws_secret_access_key and optionally aws_session_token.
 */
import type { AwsCredentialIdentity } from '@smithy/types';

/** Sections by name; `[profile x]` is accepted as `x` (the config-file spelling). Comments start with # or ;. */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      const name = header[1]!;
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current === undefined || eq === -1) continue;
    current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  return sections;
}

/** The profile's credentials, or undefined when the profile or one of its two keys is missing. */
export function credentialsFromIni(text: string, profile: string): AwsCredentialIdentity | undefined {
  const section = parseIni(text).get(profile);
  const accessKeyId = section?.get('aws_access_key_id');
  const secretAccessKey = section?.get('aws_secret_access_key');
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = section?.get('aws_session_token');
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}
