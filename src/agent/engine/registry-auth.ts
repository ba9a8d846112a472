/**
 * Private registry auth from ECS_ENGINE_AUTH_TYPE / ECS_ENGINE_AUTH_DATA (spec §1.3), keyed by registry:
 *
 *   docker     {"https://index.docker.io/v1/": {"username": "...", "password": "...", "email": "..."}}
 *   dockercfg  {"my.registry:5000": {"auth": "<base64 user:password>", "email": "..."}}
 *
 * The entry whose host matches the image's registry (scheme and path ignored) is sent with the pull.
 */
import type { AgentConfig } from '../config.js';
import type { RegistryAuth } from '../runtime/runtime.js';

const DOCKER_HUB = 'index.docker.io';

/** The registry host of an image reference: the first path part when it looks like a host, else Docker Hub. */
export function registryOf(image: string): string {
  const slash = image.indexOf('/');
  if (slash === -1) return DOCKER_HUB;
  const first = image.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') return first === 'docker.io' ? DOCKER_HUB : first;
  return DOCKER_HUB;
}

function hostOf(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  return host === 'registry-1.docker.io' || host === 'docker.io' ? DOCKER_HUB : host;
}

interface AuthEntry {
  username?: unknown;
  password?: unknown;
  email?: unknown;
  auth?: unknown;
}

export function authForImage(image: string, config: Pick<AgentConfig, 'engineAuthType' | 'engineAuthData'>): RegistryAuth | undefined {
  const data = config.engineAuthData;
  if (config.engineAuthType === undefined || data === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.value);
  } catch {
    return undefined; // validated in config; never reached with a loaded config
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const registry = registryOf(image);
  const match = Object.entries(parsed as Record<string, AuthEntry>).find(([key]) => hostOf(key) === registry);
  if (!match) return undefined;
  const [key, entry] = match;
  const email = typeof entry.email === 'string' ? entry.email : undefined;
  if (config.engineAuthType === 'dockercfg') {
    if (typeof entry.auth !== 'string') return undefined;
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i === -1) return undefined;
    return { username: decoded.slice(0, i), password: decoded.slice(i + 1), serveraddress: key, ...(email ? { email } : {}) };
  }
  if (typeof entry.username !== 'string' || typeof entry.password !== 'string') return undefined;
  return { username: entry.username, password: entry.password, serveraddress: key, ...(email ? { email } : {}) };
}
