// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tap/**'] },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // dockerode is imported by the runtime adapter only (STYLE: own the runtime port).
      'no-restricted-imports': ['error', { paths: [{ name: 'dockerode', message: 'import dockerode only in src/agent/runtime/docker.ts' }] }],
    },
  },
  {
    // One clock (src/shared/clock.ts): time is read and timers are set only through a Clock, so tests can drive it.
    files: ['src/**/*.ts'],
    ignores: ['src/shared/clock.ts'],
    rules: {
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'read the time from a Clock (src/shared/clock.ts)' },
        { object: 'performance', property: 'now', message: 'use clock.monotonic() (src/shared/clock.ts)' },
      ],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'new Date(clock.now()): read the time from a Clock (src/shared/clock.ts)' },
      ],
      'no-restricted-globals': ['error',
        ...['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'].map((name) => ({ name, message: `use clock.${name} or sleep() (src/shared/clock.ts)` })),
      ],
    },
  },
  {
    files: ['src/agent/runtime/docker.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
