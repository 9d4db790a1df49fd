// Lint that matters (see ../shared/design/style.md): promises are awaited, switches are exhaustive,
// type-only imports are marked, and `any` is not written.
import { readdirSync } from 'node:fs';
import tseslint from 'typescript-eslint';

// Apps talk over the bus and share code only through libs/: one app never imports another (by relative
// path or otherwise), and a lib never imports an app. One block per app, listing the others.
const APPS = readdirSync(new URL('./apps', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const importsOf = (names) => `(^|/)(apps/)?(${names.join('|')})/src(/|$)`;
const appBoundaries = APPS.map((app) => ({
  files: [`apps/${app}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: importsOf(APPS.filter((other) => other !== app)),
            message: `apps/${app} must not import another app: move what they share to libs/, or talk over the bus.`,
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tools/**', '**/*.js', '**/*.mjs', 'apps/console/web/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname, emitDecoratorMetadata: true, experimentalDecorators: true },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.object.name='it'][callee.property.name='only']", message: 'it.only left in a spec' }, { selector: "CallExpression[callee.object.name='describe'][callee.property.name='only']", message: 'describe.only left in a spec' }],
    },
  },
  ...appBoundaries,
  {
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `(^|/)apps/|${importsOf(APPS)}`,
              message: 'libs/ must not import an app: libraries are what the apps share, not the other way round.',
            },
          ],
        },
      ],
    },
  },
);
