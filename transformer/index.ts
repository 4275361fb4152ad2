// forwardgrad/transformer: a type-aware source-to-source forward-mode transform, one pass per module.
//
//   find       annotated functions (comment text, decorators, @customJvp)            find.ts
//   callgraph  + every program function they call, recursively; twin names fixed     callgraph.ts
//   activity   which variables carry tangents (per function, type-aware)            activity.ts
//   emit       a readable twin beside each function, registered with the runtime     emit/
//   rules      scalar/Math, tensor ops (from the runtime manifest), user rules       rules/
//   diagnostics  located errors with a fix hint, never a silently wrong derivative   diagnostics.ts
import './plugins/check-peers/transformer'; // first: names a missing peer with its install line
import * as path from 'path';
import * as ts from 'typescript';
import { Plan, buildPlan, relativeSpecifier } from './callgraph';
import { toDiagnostic } from './diagnostics';
import { FileContext } from './emit/context';
import { transformFile } from './emit/file';
import { DEFAULT_TENSOR_RULES, TensorRules } from './rules/tensor';

export interface ForwardGradOptions {
  /** Module the emitted code imports the runtime from: "forwardgrad" (default) or an absolute path. */
  runtimeModule?: string;
  /** Tensor op rules; defaults to runtime/ops/manifest.ts (tests pass a fake manifest). */
  tensorRules?: TensorRules;
  /**
   * Twins free tensors as soon as they are provably dead (default true), so their peak memory does not grow with
   * depth (transformer/emit/release.ts). false keeps every intermediate until the enclosing tidy scope ends.
   */
  releaseDeadTensors?: boolean;
}

export { ForwardGradError, CODES } from './diagnostics';

const DEFAULT_RUNTIME = 'forwardgrad';

/** Which files belong to the runtime: the directory of the resolved runtime module. */
function runtimeFileTest(program: ts.Program, runtimeModule: string): (sf: ts.SourceFile) => boolean {
  let entry: string | undefined;
  if (path.isAbsolute(runtimeModule)) entry = runtimeModule;
  else {
    const from = program.getRootFileNames()[0] ?? path.join(program.getCurrentDirectory(), 'index.ts');
    entry = ts.resolveModuleName(runtimeModule, from, program.getCompilerOptions(), ts.sys).resolvedModule
      ?.resolvedFileName;
  }
  // this package's own runtime sources always count (the repository's build and tests import them by path)
  const dirs = [path.resolve(__dirname, '../runtime') + path.sep];
  if (entry) dirs.push(path.dirname(path.resolve(entry)) + path.sep);
  // runtime/models/ holds annotated user-level code (the paper's models): differentiated like user code
  const models = /[\\/]runtime[\\/]models[\\/]/;
  return (sf) => {
    const f = path.resolve(sf.fileName);
    return dirs.some((d) => f.startsWith(d)) && !models.test(f);
  };
}

export function createForwardGradTransformer(
  program: ts.Program,
  options: ForwardGradOptions = {},
): { factory: ts.TransformerFactory<ts.SourceFile>; diagnostics: ts.Diagnostic[] } {
  const diagnostics: ts.Diagnostic[] = [];
  const runtimeModule = options.runtimeModule ?? DEFAULT_RUNTIME;
  const tensorRules = options.tensorRules ?? DEFAULT_TENSOR_RULES;
  let plan: Plan | undefined;
  const reported = new Set<ts.SourceFile>();
  const getPlan = (): Plan => {
    if (!plan) plan = buildPlan(program, runtimeFileTest(program, runtimeModule));
    return plan;
  };
  const factory: ts.TransformerFactory<ts.SourceFile> = (tctx) => (sf) => {
    const p = getPlan();
    const original = program.getSourceFile(sf.fileName) ?? sf;
    if (!reported.has(original)) {
      reported.add(original);
      for (const e of p.errors) if (e.node.getSourceFile() === original) diagnostics.push(toDiagnostic(e, e.node));
    }
    const spec = path.isAbsolute(runtimeModule) ? relativeSpecifier(original, runtimeModule) : runtimeModule;
    return transformFile(
      new FileContext(original, p, spec, tensorRules, options.releaseDeadTensors ?? true),
      diagnostics,
      tctx,
    );
  };
  return { factory, diagnostics };
}

/** ts-patch "program" transformer: `"plugins": [{ "transform": "forwardgrad/transformer" }]`. */
export default function tsPatchTransformer(
  program: ts.Program,
  config: ForwardGradOptions & Record<string, unknown> = {},
  extras: { ts?: typeof ts; addDiagnostic?: (d: ts.Diagnostic) => void } = {},
): ts.TransformerFactory<ts.SourceFile> {
  const { factory, diagnostics } = createForwardGradTransformer(program, {
    runtimeModule: typeof config.runtimeModule === 'string' ? config.runtimeModule : undefined,
    releaseDeadTensors: typeof config.releaseDeadTensors === 'boolean' ? config.releaseDeadTensors : undefined,
  });
  return (context) => {
    const inner = factory(context);
    return (sf) => {
      const before = diagnostics.length;
      const out = inner(sf);
      for (const d of diagnostics.slice(before)) extras.addDiagnostic?.(d);
      return out;
    };
  };
}
