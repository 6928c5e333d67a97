// ESLint (flat config): the recommended rules of ESLint and typescript-eslint, nothing more, with
// formatting left to Prettier (eslint-config-prettier turns off every rule Prettier decides).
// Type-aware rules are not enabled: they would type-check the whole code base a second time on
// every run, and `tsc` (npm run build) already does.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.kafka/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      // `_name` says "deliberately unused" (a destructured member left out, a handler's argument).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
);
