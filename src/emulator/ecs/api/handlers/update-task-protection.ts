import { MAX_PROTECTION_MINUTES, protectedTaskView, withProtection } from '../../services/protection.js';
import { invalidParameter } from '../../errors.js';
import { ecsOperation } from '../service.js';
import { resolveCluster } from '../lookup.js';
import { protectionTargets } from './get-task-protection.js';

/**
 * Enabling (re)starts the protection period from now: 2 h by default, 1-2880 minutes when given. Protected
 * tasks are left alone by service scale-in and deployments (services/protection.ts), so the controller is told.
 */
ecsOperation('UpdateTaskProtection', {
  input: {
    cluster: { type: 'string', required: true },
    tasks: { type: 'list', required: true, of: 'string', max: 10 },
    protectionEnabled: { type: 'boolean', required: true },
    expiresInMinutes: { type: 'integer' },
  },
  handle(ctx, input) {
    const minutes = input.expiresInMinutes;
    if (minutes !== undefined && (minutes < 1 || minutes > MAX_PROTECTION_MINUTES)) {
      throw invalidParameter(`expiresInMinutes must be between 1 and ${MAX_PROTECTION_MINUTES} minutes, but was ${minutes}.`);
    }
    const cluster = resolveCluster(ctx, input.cluster);
    const { tasks, failures } = protectionTargets(ctx, cluster, input.tasks);
    const now = ctx.now();
    const updated = tasks.map((t) => {
      const next = withProtection(t, input.protectionEnabled, minutes, now);
      ctx.store.putTask(next);
      return next;
    });
    // Lifting protection can let a waiting scale-in or rollout go on at once.
    if (updated.length > 0) ctx.services.changed();
    return { protectedTasks: updated.map((t) => protectedTaskView(t, now)), failures };
  },
});
