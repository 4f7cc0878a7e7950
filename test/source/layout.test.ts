/**
 * Tests are where a reader looks for them: unit tests in a folder named after the src/ folder
 * they test, whole-app suites (the bot as a process, or several areas through one app) in
 * test/integration/, shared helpers in test/support/, protocol fakes (and their own tests) in test/fakes/.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '../..');
const dirs = (path: string): string[] => readdirSync(path).filter((n) => statSync(join(path, n)).isDirectory());
/** Folders that do not mirror src/: what each holds is in the header above. */
const OWN = new Set(['integration', 'support', 'fakes', 'fixtures', 'source', 'bench']);

test('every test folder mirrors a src/ folder, or is one of integration, support, fakes, fixtures, source, bench', () => {
  const src = new Set(dirs(join(root, 'src')));
  const strays = dirs(join(root, 'test')).filter((d) => !OWN.has(d) && !src.has(d));
  assert.deepEqual(strays, []);
});

test('a test that starts the bot as a process (src/main.ts or the bundle) lives in test/integration/', () => {
  const spawnsBot = (text: string): boolean => /\bspawn(Sync)?\(/.test(text) && /['/](src\/main\.ts|main\.js)'/.test(text);
  const outside = dirs(join(root, 'test'))
    .filter((d) => d !== 'integration')
    .flatMap((d) => readdirSync(join(root, 'test', d)).map((n) => join('test', d, n)))
    .filter((f) => f.endsWith('.test.ts') && spawnsBot(readFileSync(join(root, f), 'utf8')));
  assert.deepEqual(outside, []);
});

test('test/support/ holds helpers only, no *.test.ts', () => {
  assert.deepEqual(
    readdirSync(join(root, 'test', 'support')).filter((n) => n.endsWith('.test.ts')),
    [],
  );
});
