// Lint rules that also guard the architecture (README "Layout"): only the action entry imports
// @actions/*, only the real adapter imports @kubernetes/client-node, the simulator never imports
// the judge, and only the clock and the seeded random source touch time and randomness.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const timeAndRandom = [
  { object: 'Date', property: 'now', message: 'Use the injected Clock (src/clock/).' },
  { object: 'Math', property: 'random', message: 'Use SeededRandom (src/clock/seededRandom.ts).' },
];
const timerGlobals = ['setTimeout', 'setInterval', 'setImmediate'].map((name) => ({
  name,
  message: 'Use the injected Clock (src/clock/).',
}));

export default tseslint.config(
  { ignores: ['dist/**', 'lib/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Tests read untyped JSON fixtures (the upstream vectors); src/ stays strict.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/clock/realClock.ts'],
    rules: {
      'no-restricted-properties': ['error', ...timeAndRandom],
      'no-restricted-globals': ['error', ...timerGlobals],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/main.ts', 'src/index.ts', 'src/action/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@actions/*'], message: 'Only the action entry (src/main.ts, src/action/) imports @actions/*.' }] },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cluster/kube/**', 'src/main.ts', 'src/index.ts', 'src/action/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@actions/*'], message: 'Only the action entry imports @actions/*.' },
            { group: ['@kubernetes/client-node'], message: 'Only the real adapter (src/cluster/kube/) imports client-node.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/cluster/sim/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@actions/*', '@kubernetes/client-node'], message: 'The simulator uses no external clients.' },
            { group: ['**/rollout/**', '**/rollback/**', '**/gate/**'], message: 'The simulator must not share the judge it is used to test.' },
          ],
        },
      ],
    },
  },
);
