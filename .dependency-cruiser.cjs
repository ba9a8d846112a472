// @ts-check
/**
 * berth's import rules (ARCHITECTURE.md, "The layout"). `npm run lint` runs them through
 * scripts/check-architecture.ts, which also fails on a cycle between folders (dependency-cruiser checks files).
 * `npx depcruise src` runs the file rules alone.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-file-cycle',
      comment: 'Two modules that import each other (directly or around a loop) are one module in two files.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'agent-not-emulator',
      comment: 'The agent is a drop-in for the official one against real ECS: it never reaches into the emulator.',
      severity: 'error',
      from: { path: '^src/agent/' },
      to: { path: '^src/emulator/' },
    },
    {
      name: 'emulator-not-agent',
      comment: 'The emulator must serve the official agent too: it knows the agent only by the wire protocol.',
      severity: 'error',
      from: { path: '^src/emulator/' },
      to: { path: '^src/agent/' },
    },
    {
      name: 'shared-imports-neither-side',
      comment: 'src/shared holds the protocol, AWS helpers and logging both sides use; it imports neither side.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/(agent|emulator|cli)/|^src/(cli|up)\\.ts$' },
    },
    {
      name: 'sides-not-cli',
      comment: 'The command line composes the sides; the sides never import it.',
      severity: 'error',
      from: { path: '^src/(agent|emulator)/' },
      to: { path: '^src/cli/|^src/(cli|up)\\.ts$' },
    },
    {
      name: 'services-not-ecs',
      comment: 'ECS may use the narrow ports of the services around it (EC2/VPC, ECR, ...); never the reverse.',
      severity: 'error',
      from: { path: '^src/emulator/(aws|store|secretsmanager|ssm|ecr|vpc|logs)/' },
      to: { path: '^src/emulator/ecs/' },
    },
    {
      name: 'kit-not-services',
      comment: 'The protocol kit (aws/) and the store kit know no AWS service.',
      severity: 'error',
      from: { path: '^src/emulator/(aws|store)/' },
      to: { path: '^src/emulator/(ecs|secretsmanager|ssm|ecr|vpc|logs|metrics)/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
};
