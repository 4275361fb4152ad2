// The layer rules of ARCHITECTURE.md, checked on the sources: what a compiled training script
// loads (runtime/ and kernels/, and everything they import, transitively) never reaches the
// transformer, the command line or `typescript`; kernels/ never reaches runtime/; the core
// (jvp, forwardGradient, grad, ops, tensors: runtime/ outside fgd/ and models/) never reaches the descent loop. Type-only imports
// are erased by the compiler, so they do not count; everything that survives compilation does
// (static imports, re-exports, require(), import()).
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/** Run-time module specifiers of a TypeScript source (type-only imports and `typeof import` dropped). */
export function runtimeSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const out: string[] = [];
  const statement = /\b(import|export)\s+(type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/g;
  for (const m of code.matchAll(statement)) if (!m[2]) out.push(m[3]);
  for (const m of code.matchAll(/(?<!typeof\s+)\b(?:require|import)\s*\(\s*['"]([^'"]+)['"]\s*[,)]/g)) out.push(m[1]);
  return out;
}

function resolveLocal(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base, `${base}.ts`, `${base}.js`, path.join(base, 'index.ts'), path.join(base, 'index.js')]) {
    if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  }
  return undefined;
}

function sourcesUnder(dir: string): string[] {
  return (
    fs
      .readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts'))
      .map((e) => path.join(e.parentPath ?? e.path, e.name))
      // AssemblyScript sources compile to .wasm at build time; they are never loaded by node.
      .filter((f) => !f.includes(`${path.sep}assembly${path.sep}`))
  );
}

/** For each file reachable from `entries`, the chain of imports that reached a forbidden target. */
function forbiddenReaches(entries: string[], forbidden: (target: string) => boolean): string[] {
  const seen = new Map<string, string[]>();
  const queue: Array<[string, string[]]> = entries.map((e) => [e, [e]]);
  const bad: string[] = [];
  while (queue.length) {
    const [file, chain] = queue.shift()!;
    if (seen.has(file)) continue;
    seen.set(file, chain);
    for (const spec of runtimeSpecifiers(fs.readFileSync(file, 'utf8'))) {
      const target = spec.startsWith('.') ? (resolveLocal(file, spec) ?? path.resolve(path.dirname(file), spec)) : spec;
      const rel = (f: string) => (path.isAbsolute(f) ? path.relative(ROOT, f) : f);
      if (forbidden(target)) {
        bad.push([...chain, target].map(rel).join(' → '));
        continue;
      }
      if (path.isAbsolute(target) && /\.ts$/.test(target)) queue.push([target, [...chain, target]]);
    }
  }
  return bad;
}

const inside = (dir: string) => (target: string) =>
  path.isAbsolute(target) && !path.relative(path.join(ROOT, dir), target).startsWith('..');
const TS_PACKAGE = (t: string) => t === 'typescript' || t.startsWith('typescript/');

describe('layers', () => {
  test('the specifier scan sees every run-time form and skips type-only ones', () => {
    const src = [
      "import { a } from './a';",
      'import * as b from "./b";',
      "import './c';",
      "export { d } from './d';",
      "export * from './e';",
      "const f = require('./f');",
      "const g = await import('./g');",
      "import type { H } from './h';",
      "export type { I } from './i';",
      "type J = typeof import('./j');",
      "// import { k } from './k';",
      "/* require('./l') */",
    ].join('\n');
    expect(runtimeSpecifiers(src)).toEqual(['./a', './b', './c', './d', './e', './f', './g']);
  });

  test('runtime/ and kernels/ never reach transformer/, cli/ or typescript, directly or transitively', () => {
    const entries = [...sourcesUnder('runtime'), ...sourcesUnder('kernels')];
    expect(entries.length).toBeGreaterThan(20);
    const bad = forbiddenReaches(entries, (t) => inside('transformer')(t) || inside('cli')(t) || TS_PACKAGE(t));
    expect(bad).toEqual([]);
  });

  test('the core (runtime/ outside fgd/, models/ and the package root) never reaches runtime/fgd/', () => {
    const fgd = inside(path.join('runtime', 'fgd'));
    // runtime/index.ts is the package root: it exports fgd next to the core; runtime/models/ are annotated
    // example models, user code that imports the package root as a user does.
    const core = sourcesUnder('runtime').filter(
      (f) => !fgd(f) && !inside(path.join('runtime', 'models'))(f) && f !== path.join(ROOT, 'runtime', 'index.ts'),
    );
    expect(core).toEqual(
      expect.arrayContaining(['jvp.ts', 'forward-gradient.ts', 'grad.ts'].map((f) => path.join(ROOT, 'runtime', f))),
    );
    expect(forbiddenReaches(core, fgd)).toEqual([]);
  });

  test("runtime/ never imports a backend's module (kernels/js, gpujs, wasm) itself: kernels run through backend selection", () => {
    const backendDirs = ['js', 'gpujs', 'wasm'].map((d) => inside(path.join('kernels', d)));
    const direct: string[] = [];
    for (const file of sourcesUnder('runtime')) {
      for (const spec of runtimeSpecifiers(fs.readFileSync(file, 'utf8'))) {
        const target = spec.startsWith('.')
          ? (resolveLocal(file, spec) ?? path.resolve(path.dirname(file), spec))
          : spec;
        if (backendDirs.some((inDir) => inDir(target))) direct.push(`${path.relative(ROOT, file)} → ${spec}`);
      }
    }
    expect(direct).toEqual([]);
  });

  test('kernels/ never reaches runtime/', () => {
    expect(forbiddenReaches(sourcesUnder('kernels'), inside('runtime'))).toEqual([]);
  });

  test('the check fails on a reach (a chain through an innocent file)', () => {
    const dir = fs.mkdtempSync(path.join(ROOT, 'runtime', '.layer-probe-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b';\nexport const a = b;\n");
      fs.writeFileSync(path.join(dir, 'b.ts'), "export const b = require('../../cli/main');\n");
      const bad = forbiddenReaches([path.join(dir, 'a.ts')], inside('cli'));
      expect(bad).toHaveLength(1);
      expect(bad[0]).toMatch(/a\.ts → .*b\.ts → cli\/main\.ts$/);
      // and a core → fgd import the same way
      fs.writeFileSync(path.join(dir, 'c.ts'), "import { fgd } from '../fgd';\nexport const c = fgd;\n");
      expect(forbiddenReaches([path.join(dir, 'c.ts')], inside(path.join('runtime', 'fgd')))).toEqual([
        expect.stringMatching(/c\.ts → runtime\/fgd\/index\.ts$/),
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
