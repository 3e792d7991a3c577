// ESLint (flat config): the rules the code holds itself to, checked in CI (`npm run lint`).
//  - no function over 80 lines in src/ (a reader can hold one);
//  - every promise is awaited, returned or handed to a handler (no-floating-promises), and none
//    is passed where a callback's result is ignored (no-misused-promises): an unhandled
//    rejection is how a peer could once crash the listener.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'dist.tmp-*/**', 'node_modules/**', 'coverage/**', 'src/inspect/page/**'] },
  {
    files: ['src/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: false, skipComments: false, IIFEs: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // The core's control characters (terminal safety) and its deliberate empty catches are said where they are.
      'no-control-regex': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
