/**
 * Habits of src/ checked with the TypeScript parser: every exported declaration says in a doc
 * comment what it is for, and no exported name is dead (used nowhere: not in its own file, not
 * in src/, test/, bench/ or scripts/). Re-exports (`export { x } from …`) are not declarations.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'results' || n === 'node_modules' ? [] : files(p);
    return /\.(ts|mjs)$/.test(n) ? [p] : [];
  });
}

const parse = (file: string): ts.SourceFile => ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);

interface Exported {
  readonly file: string;
  readonly line: number;
  readonly names: readonly string[];
  readonly documented: boolean;
}

/** The exported declarations of one file (functions, classes, interfaces, types, enums, consts). */
function exportedDeclarations(sf: ts.SourceFile): Exported[] {
  const out: Exported[] = [];
  for (const st of sf.statements) {
    const modifiers = ts.canHaveModifiers(st) ? ts.getModifiers(st) : undefined;
    if (!modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    const names = ts.isVariableStatement(st)
      ? st.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : []))
      : 'name' in st && st.name && ts.isIdentifier(st.name as ts.Node)
        ? [(st.name as ts.Identifier).text]
        : [];
    out.push({
      file: sf.fileName,
      line: sf.getLineAndCharacterOfPosition(st.getStart(sf)).line + 1,
      names,
      documented: ts.getJSDocCommentsAndTags(st).length > 0,
    });
  }
  return out;
}

/** How often each identifier occurs in a file (declarations included). */
function identifierCounts(sf: ts.SourceFile): Map<string, number> {
  const counts = new Map<string, number>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) counts.set(n.text, (counts.get(n.text) ?? 0) + 1);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return counts;
}

describe('exported names in src/', () => {
  const sources = files('src').map(parse);
  const exported = sources.flatMap(exportedDeclarations);

  test('finds the exports (the check reads what it should)', () => {
    assert.ok(exported.length > 500, `${exported.length} exported declarations`);
    assert.ok(exported.some((e) => e.names.includes('startApp') && e.documented));
  });

  test('each has a doc comment saying what it is for', () => {
    const missing = exported.filter((e) => !e.documented).map((e) => `${e.file}:${e.line} ${e.names.join(', ')}`);
    assert.deepEqual(missing, [], `exported without a /** doc */ comment:\n${missing.join('\n')}`);
  });

  test('none is dead: each is used somewhere besides its declaration', () => {
    const everywhere = [...sources, ...[...files('test'), ...files('bench'), ...files('scripts')].map(parse)].map((sf) => ({
      file: sf.fileName,
      counts: identifierCounts(sf),
    }));
    const dead = exported.flatMap((e) =>
      e.names
        .filter((name) => {
          const uses = everywhere.reduce((n, f) => n + (f.counts.get(name) ?? 0), 0);
          return uses <= 1; // the declaration itself
        })
        .map((name) => `${e.file}:${e.line} ${name}`),
    );
    assert.deepEqual(dead, [], `exported but used nowhere (remove them):\n${dead.join('\n')}`);
  });
});
