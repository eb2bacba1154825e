// `npm run lint`: ESLint with typescript-eslint over every source file, holding the rules the code
// already follows. The TypeScript files are linted with type information from tsconfig.check.json
// (one program, the one `npm run typecheck` builds); the few plain .mjs/.js files without it.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // Build outputs and generated files (artifacts are written to temporary directories; golden
    // WGSL snapshots are not JavaScript).
    ignores: ['dist/**', 'coverage/**', 'out/**', '.cache/**', 'test-output/**', 'native/*/build/**'],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // House rules.
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always'],
      'prefer-const': 'error',
      // Type-aware rules of the recommended set that the code does not follow by design, each off
      // for a stated reason:
      // - the untyped values they flag come from libraries (protobufjs' Long, hyparquet's schema,
      //   JSON.parse) and are checked where they enter; `any` written in our code is an error above.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      // - `Value` and `Tensor` have a toString for messages; attributes are printed as they are.
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      // - rules, templates and registries pass methods of plain objects that do not use `this`.
      '@typescript-eslint/unbound-method': 'off',
      // - an async method without `await` implements an async interface.
      '@typescript-eslint/require-await': 'off',
      // - assertions that document a narrower type at the call site are kept.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
);
