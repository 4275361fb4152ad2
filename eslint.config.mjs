// ESLint for the whole repository (`npm run lint`). Formatting is Prettier's job (`npm run format`),
// so nothing here is about layout: typescript-eslint's recommended rules, unused names, import
// cycles and the layer rules of ARCHITECTURE.md.
import path from 'node:path';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';

const ROOT = import.meta.dirname;
const at = (dir) => path.join(ROOT, dir);
// A glob, so it matches the package wherever the resolver finds it (node_modules may be a symlink).
const TYPESCRIPT = '/**/node_modules/typescript/**';

// ARCHITECTURE.md "Layers". Paths are resolved (relative imports, require(), import()), so a
// runtime file cannot reach the transformer by any spelling. Type-only imports count too: the run-time
// layers need nothing from the build-time one.
const RUN_TIME = 'run-time code (runtime/, kernels/) is loaded by every training script';
const LAYERS = [
  {
    target: at('runtime'),
    from: at('transformer'),
    message: `${RUN_TIME}: it never imports transformer/ (build time).`,
  },
  { target: at('runtime'), from: at('cli'), message: `${RUN_TIME}: it never imports cli/ (the top layer).` },
  {
    target: at('kernels'),
    from: at('transformer'),
    message: `${RUN_TIME}: it never imports transformer/ (build time).`,
  },
  { target: at('kernels'), from: at('cli'), message: `${RUN_TIME}: it never imports cli/ (the top layer).` },
  { target: at('kernels'), from: at('runtime'), message: 'kernels/ sits below runtime/: it never imports it.' },
  { target: [at('runtime'), at('kernels')], from: TYPESCRIPT, message: `${RUN_TIME}: it never imports typescript.` },
  {
    target: at('transformer'),
    from: at('runtime'),
    except: ['./ops/manifest.ts'],
    message: 'transformer/ reads only runtime/ops/manifest.ts (pure data) from runtime/.',
  },
];

export default tseslint.config(
  {
    // Generated or built: never edited by hand.
    ignores: [
      '**/dist/**',
      'kernels/wasm/build/**',
      'fixtures/expected/**',
      'coverage/**',
      'bench/out/**',
      'out/**',
      'reports/**',
      '.tmp/**',
      '.gl/**',
      '.gpu/**',
      '.whl/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,js,mjs,cjs}'],
    plugins: { 'import-x': importX },
    languageOptions: { globals: { ...globals.node } },
    settings: {
      // import-x reads imported files itself (for the cycle search): tell it they are TypeScript.
      'import-x/extensions': ['.ts', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json', '.node'] }),
      ],
      // Packages are never parsed for the cycle search (one is a 13 MB bundle).
      'import-x/ignore': ['node_modules'],
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Prettier owns line breaks and breaks long member chains before `[`, which this rule reads as
      // an ASI hazard (eslint-config-prettier turns it off for the same reason).
      'no-unexpected-multiline': 'off',
      // Lazy require() is the design, not an accident: optional peers, backends and the CLI's
      // transformer load only when used (ARCHITECTURE.md), and the build is CommonJS.
      '@typescript-eslint/no-require-imports': 'off',
      // The public API takes any function the transform saw (DESIGN.md: jvp, grad, fgd take
      // `Function`); the runtime only uses it as a registry key, its name and its source text.
      '@typescript-eslint/no-unsafe-function-type': 'off',
      // `(...args: any[]) => R` is how TypeScript says "a function of any parameters" (twins, op rules):
      // `unknown[]` would reject every typed function.
      '@typescript-eslint/no-explicit-any': ['error', { ignoreRestArgs: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
      // runtime/models/* import runtime/index.ts (their emitted twins do too) and index.ts does not
      // re-export them (ARCHITECTURE.md): a re-export there would be reported here as a cycle.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { basePath: '/', zones: LAYERS }],
    },
  },
  {
    // Tests reach error paths by passing ill-typed values on purpose (`x as any`), and benches
    // load compiled modules whose shape the type system cannot see.
    files: ['test/**', 'bench/**', 'fixtures/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // CommonJS entry points and jest glue.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
);
