import type { KeyValue } from '../../records.js';
import { invalidParameter } from '../../errors.js';
import { ecsOperation } from '../service.js';
import { resolveCluster } from '../lookup.js';
import { clusterView } from '../views.js';

/** containerInsights is the only cluster setting; values enabled, disabled or enhanced. */
export function checkSettings(raw: readonly unknown[], current: readonly KeyValue[] | undefined): KeyValue[] {
  const out = new Map<string, string>((current ?? []).map((s) => [s.name ?? '', s.value ?? '']));
  for (const s of raw as KeyValue[]) {
    if (s?.name !== 'containerInsights') throw invalidParameter(`Unknown cluster setting '${String(s?.name)}'; expected containerInsights.`);
    if (!['enabled', 'disabled', 'enhanced'].includes(s.value ?? '')) {
      throw invalidParameter(`Invalid containerInsights value '${String(s.value)}'; expected enabled, disabled or enhanced.`);
    }
    out.set(s.name, s.value!);
  }
  return [...out].map(([name, value]) => ({ name, value }));
}

ecsOperation('UpdateClusterSettings', {
  input: { cluster: { type: 'string', required: true }, settings: { type: 'list', required: true, of: 'structure' } },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const updated = { ...cluster, settings: checkSettings(input.settings, cluster.settings) };
    ctx.store.putCluster(updated);
    return { cluster: clusterView(ctx, updated) };
  },
});
