// Lint rules, including the import direction from DESIGN.md as a check nobody has to remember:
// core <- services <- alerts; core <- permissions; handlers may use core, services,
// permissions, alerts; bot may use core and handlers; only the composition root sees everything.
// And no import cycles in src/ (import-x/no-cycle below).
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const layer = (files, forbidden, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message })) }],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'bench/results/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // No import cycles in src/ (type-only imports included: a cycle of types is still a tangle).
  // import-x because it runs inside `npm run lint` with the rules above, is actively maintained,
  // and resolves our `.ts` specifiers through the TypeScript resolver.
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver()],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  layer(
    ['src/core/**'],
    ['**/services/**', '**/alerts/**', '**/permissions/**', '**/handlers/**', '**/bot/**', '**/wiring/**', '**/demo/**', '**/app.ts'],
    'core is the bottom layer: it imports nothing of ours above it',
  ),
  layer(
    ['src/services/**'],
    ['**/handlers/**', '**/bot/**', '**/permissions/**', '**/wiring/**', '**/app.ts', '**/alerts/engine*', '**/alerts/outbox*'],
    'services know nothing about chat, permissions or delivery (only the Condition type from alerts)',
  ),
  layer(['src/alerts/**'], ['**/handlers/**', '**/bot/**', '**/wiring/**', '**/app.ts'], 'alerts sit below handlers and bot'),
  layer(
    ['src/permissions/**'],
    ['**/services/**', '**/alerts/**', '**/handlers/**', '**/bot/**', '**/wiring/**', '**/app.ts'],
    'permissions depend on core only',
  ),
  layer(
    ['src/handlers/**'],
    ['grammy', 'grammy/*', '@grammyjs/*', 'discord.js', '**/bot/**', '**/wiring/**', '**/app.ts'],
    'handlers are platform-neutral: no grammy/discord.js, no adapters',
  ),
  layer(
    ['src/bot/**'],
    ['**/services/**', '**/permissions/**', '**/alerts/**', '**/wiring/**', '**/app.ts'],
    'adapters use core and handlers only',
  ),
  layer(
    ['src/demo/**'],
    ['grammy', 'discord.js', '**/bot/**', '**/handlers/**', '**/wiring/**', '**/app.ts'],
    'demo fakes are backends, not bot code',
  ),
);
