// Pass 2: the set of functions that get twins. Annotated functions, then — recursively — every function they
// call whose source is in the program (same module or imported), without annotation. Each twin is emitted in
// its callee's own module; the plan fixes every twin's name up front so all modules agree on it.
import * as path from 'path';
import * as ts from 'typescript';
import { CODES, ForwardGradError } from './diagnostics';
import { DiffFunction, findAnnotations, functionInitializer } from './find';
import { NameScope, identifiersIn, twinName } from './naming';
import { checkNesting } from './nesting';
import { diffKind } from './types';

export interface TwinInfo {
  readonly fn: DiffFunction | ts.FunctionDeclaration;
  /** The user's name (for messages and the registry). */
  readonly name: string;
  /** The sibling's name, or the custom rule's name. */
  readonly twin: string;
  readonly file: ts.SourceFile;
  /** `nested`: annotated inside a function or an object literal, its twin registered where it stands; `local`: a
   * function declared inside a differentiated function, its twin emitted beside it inside that function's twin. */
  readonly kind: 'function' | 'variable' | 'method' | 'literal' | 'nested' | 'local';
  readonly exported: boolean;
  readonly tangentSlots: readonly boolean[];
  /** Set for `@customJvp`: calls go to the user's rule; no twin is emitted. */
  readonly custom: boolean;
  /** For `@customJvp`: the name the rule's module exports it under (what other modules call), undefined if not exported. */
  readonly ruleExport?: string;
}

export class Plan {
  readonly twins = new Map<ts.Node, TwinInfo>();
  readonly scopes = new Map<ts.SourceFile, NameScope>();
  readonly errors: ForwardGradError[] = [];

  constructor(
    readonly program: ts.Program,
    readonly checker: ts.TypeChecker,
    readonly isRuntimeFile: (sf: ts.SourceFile) => boolean,
  ) {}

  scope(sf: ts.SourceFile): NameScope {
    let s = this.scopes.get(sf);
    if (!s) {
      s = new NameScope(identifiersIn(sf));
      this.scopes.set(sf, s);
    }
    return s;
  }

  twinsIn(sf: ts.SourceFile): TwinInfo[] {
    return [...this.twins.values()].filter((t) => t.file === sf);
  }
}

export function tangentSlots(fn: ts.SignatureDeclaration, checker: ts.TypeChecker): boolean[] {
  return fn.parameters
    .filter((p) => !(ts.isIdentifier(p.name) && p.name.text === 'this'))
    .map((p) => diffKind(checker.getTypeAtLocation(p), checker) !== 'none');
}

/**
 * The name `sym` is exported under from `file` (`export function f`, `export const f`, `export { f }` → 'f';
 * `export { f as g }` → 'g'; `export default f` → 'default'; its own name when there are several), or undefined.
 * The one export check (issue 7), asked of the checker's module exports, never of the syntax.
 */
export function exportedName(sym: ts.Symbol, file: ts.SourceFile, checker: ts.TypeChecker): string | undefined {
  const mod = checker.getSymbolAtLocation(file);
  if (!mod) return undefined;
  const target = checker.getExportSymbolOfSymbol(sym);
  const names = checker
    .getExportsOfModule(mod)
    .filter(
      (e) =>
        e === target ||
        (e.flags & ts.SymbolFlags.Alias && checker.getExportSymbolOfSymbol(checker.getAliasedSymbol(e)) === target),
    )
    .map((e) => e.name);
  return names.includes(sym.name) ? sym.name : names[0];
}

/** Is a top-level function or const exported? Other modules then call its twin, which is exported beside it. */
function isExported(name: ts.Identifier, checker: ts.TypeChecker): boolean {
  const own = checker.getSymbolAtLocation(name);
  return !!own && exportedName(own, name.getSourceFile(), checker) !== undefined;
}

/** How a function came to need a twin (all optional: a plain annotated or called function). */
interface DescribeOptions {
  /** Its `@customJvp` rule's name: the rule is its twin. */
  custom?: string;
  /** A function literal passed straight to the runtime (jvp(x => …)): an anonymous twin. */
  literal?: boolean;
  /** The twin name it must share (a method override: obj.m_jvp dispatches like obj.m). */
  sharedTwin?: string;
  /** Declared inside another function (a local twin). */
  nested?: boolean;
}

/** Describes a top-level function, const-bound function literal or class method; undefined for anything else. */
function describe(fn: ts.Node, plan: Plan, options: DescribeOptions = {}): TwinInfo | undefined {
  const { custom, literal = false, sharedTwin, nested = false } = options;
  const sf = fn.getSourceFile();
  const checker = plan.checker;
  let name: string;
  let kind: TwinInfo['kind'];
  let exported: boolean;
  if (ts.isFunctionDeclaration(fn) && ts.isSourceFile(fn.parent)) {
    if (!fn.name)
      throw new ForwardGradError(
        fn,
        'an anonymous default-exported function cannot get a twin',
        'give the function a name',
        CODES.badAnnotation,
      );
    name = fn.name.text;
    kind = 'function';
    exported = isExported(fn.name, checker);
  } else if (
    (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) &&
    ts.isVariableDeclaration(fn.parent) &&
    ts.isIdentifier(fn.parent.name) &&
    ts.isVariableStatement(fn.parent.parent.parent) &&
    ts.isSourceFile(fn.parent.parent.parent.parent)
  ) {
    name = fn.parent.name.text;
    kind = 'variable';
    exported = isExported(fn.parent.name, checker);
  } else if (
    ts.isMethodDeclaration(fn) &&
    ts.isClassDeclaration(fn.parent) &&
    ts.isSourceFile(fn.parent.parent) &&
    ts.isIdentifier(fn.name)
  ) {
    name = fn.name.text;
    kind = 'method';
    exported = false;
  } else if (nested) {
    if (ts.isMethodDeclaration(fn) && ts.isClassDeclaration(fn.parent)) {
      throw new ForwardGradError(
        fn,
        'a method of a class declared inside a function cannot get a twin',
        'move the class to module level',
        CODES.badAnnotation,
      );
    }
    name = localName(fn) ?? '<anonymous>';
    kind = 'nested';
    exported = false;
  } else if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && literal) {
    const { line } = sf.getLineAndCharacterOfPosition(fn.getStart(sf));
    name = `<function literal at ${sf.fileName.replace(/^.*[\\/]/, '')}:${line + 1}>`;
    kind = 'literal';
    exported = false;
  } else return undefined;
  const f = fn as DiffFunction;
  if (f.asteriskToken)
    throw new ForwardGradError(
      fn,
      `generator function ${name} cannot be differentiated`,
      'return a value instead of yielding',
      CODES.badAnnotation,
    );
  if (ts.getModifiers(f)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) {
    throw new ForwardGradError(
      fn,
      `async function ${name} cannot be differentiated`,
      'make the numeric part a synchronous function',
      CODES.badAnnotation,
    );
  }
  // a method's twin is a member: overrides and their bases must share its name (obj.m_jvp dispatches like obj.m)
  const memberTwin =
    kind === 'method' && !checker.getPropertyOfType(checker.getTypeAtLocation(fn.parent), twinName(name))
      ? twinName(name)
      : undefined;
  const twin = custom ?? sharedTwin ?? memberTwin ?? (literal ? '' : plan.scope(sf).fresh(twinName(name)));
  const slots = tangentSlots(f, checker);
  const rule = custom !== undefined ? checkRule(f, name, custom, slots, checker) : undefined;
  if (!rule) checkNesting(f); // before anything recurses into its body
  const ruleExport = rule && exportedName(rule, sf, checker);
  return { fn: f, name, twin, file: sf, kind, exported, tangentSlots: slots, custom: custom !== undefined, ruleExport };
}

/** The name a nested function is known by: its declaration, variable, method or property name. */
export function localName(fn: ts.Node): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name) return fn.name.getText();
  const p = fn.parent;
  if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p)) && !ts.isComputedPropertyName(p.name))
    return p.name.getText();
  if (ts.isFunctionExpression(fn) && fn.name) return fn.name.text;
  return undefined;
}

/**
 * A `@customJvp rule` must exist in the annotated function's module and take each argument followed by its tangent:
 * a missing rule would fail only when called, and a rule with too few parameters would silently drop tangents.
 * Returns the rule's symbol.
 */
function checkRule(
  fn: DiffFunction,
  name: string,
  rule: string,
  slots: readonly boolean[],
  checker: ts.TypeChecker,
): ts.Symbol {
  const sym = checker
    .getSymbolsInScope(fn.getSourceFile(), ts.SymbolFlags.Value | ts.SymbolFlags.Alias)
    .find((s) => s.name === rule);
  if (!sym) {
    throw new ForwardGradError(
      fn,
      `the @customJvp rule '${rule}' of '${name}' is not declared in this module`,
      `declare function ${rule}(x, dx, …): [value, tangent] next to ${name} (and export it if other modules call ${name})`,
      CODES.badAnnotation,
    );
  }
  if (sym.flags & ts.SymbolFlags.Alias) {
    // emitted calls name the rule directly, and an imported binding is renamed by the module emit
    throw new ForwardGradError(
      fn,
      `the @customJvp rule '${rule}' of '${name}' is imported; rules must be declared in the module of the function they annotate`,
      `declare ${rule} here (it may call the imported one)`,
      CODES.badAnnotation,
    );
  }
  const type = checker.getTypeOfSymbolAtLocation(sym, fn);
  const expected = slots.length + slots.filter(Boolean).length;
  for (const sig of type.getCallSignatures()) {
    const params = sig.getParameters();
    const rest =
      sig.getDeclaration() &&
      ts.isFunctionLike(sig.getDeclaration()) &&
      sig.getDeclaration().parameters.some((p) => p.dotDotDotToken);
    if (!rest && params.length !== expected) {
      throw new ForwardGradError(
        fn,
        `the @customJvp rule '${rule}' of '${name}' takes ${params.length} parameter(s), but ${name}'s rule gets ${expected}: each argument followed by its tangent`,
        `declare ${rule}(${fn.parameters.map((p, i) => (slots[i] ? `${p.name.getText()}, d${p.name.getText()}` : p.name.getText())).join(', ')})`,
        CODES.badAnnotation,
      );
    }
  }
  return sym;
}

/** The function a call's callee refers to (through import aliases), when it is a function we can see. */
export function resolveCallee(callee: ts.Expression, checker: ts.TypeChecker): ts.Node | undefined {
  let sym = checker.getSymbolAtLocation(callee);
  if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
  const decls = sym?.declarations ?? [];
  const withBody = decls.find((d) => (ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d)) && d.body);
  if (withBody) return withBody;
  const d = sym?.valueDeclaration ?? decls[0];
  if (!d) return undefined;
  if (ts.isVariableDeclaration(d)) return functionInitializer(d) ?? d;
  return d;
}

function isProgramSource(sf: ts.SourceFile, plan: Plan): boolean {
  return !sf.isDeclarationFile && !/[\\/]node_modules[\\/]/.test(sf.fileName) && !plan.isRuntimeFile(sf);
}

export function buildPlan(program: ts.Program, isRuntimeFile: (sf: ts.SourceFile) => boolean): Plan {
  const plan = new Plan(program, program.getTypeChecker(), isRuntimeFile);
  const work: ts.Node[] = [];
  const add = (fn: ts.Node, options: DescribeOptions = {}): void => {
    if (plan.twins.has(fn)) return;
    try {
      const info = describe(fn, plan, options);
      if (!info) return;
      plan.twins.set(fn, info);
      if (options.custom === undefined) work.push(fn);
    } catch (e) {
      if (e instanceof ForwardGradError) plan.errors.push(e);
      else throw e;
    }
  };
  const sources = program.getSourceFiles().filter((sf) => isProgramSource(sf, plan));
  // custom rules first: a function with a rule is never differentiated itself
  const found = sources.map(findAnnotations);
  for (const a of found) for (const c of a.custom) add(c.fn, { custom: c.rule });
  for (const a of found) plan.errors.push(...a.errors);
  for (const a of found) for (const fn of a.annotated) add(fn);
  for (const a of found) for (const fn of a.nested) add(fn, { nested: true });
  for (const a of found) {
    for (const { fn, call } of a.literals) {
      const callee = resolveCallee(call.expression, plan.checker);
      if (callee && plan.isRuntimeFile(callee.getSourceFile())) add(fn, { literal: true });
    }
  }
  const classes = sources.flatMap((sf) => sf.statements.filter(ts.isClassDeclaration));
  while (work.length) {
    const fn = work.pop()!;
    // calls dispatch at run time: a subclass override needs a twin under the same name (obj.m_jvp must be its own)
    if (ts.isMethodDeclaration(fn) && ts.isClassDeclaration(fn.parent)) {
      for (const o of overridesOf(fn, classes, plan.checker)) add(o, { sharedTwin: plan.twins.get(fn)!.twin });
    }
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n)) {
        const callee = resolveCallee(n.expression, plan.checker);
        if (
          callee &&
          !plan.twins.has(callee) &&
          isProgramSource(callee.getSourceFile(), plan) &&
          ts.isFunctionLike(callee) &&
          'body' in callee &&
          callee.body &&
          tangentSlots(callee as ts.SignatureDeclaration, plan.checker).some(Boolean)
        ) {
          add(callee);
        }
        // a program function handed over as a callback (xs.map(sq)) runs through its twin too
        for (const a of n.arguments) {
          if (!ts.isIdentifier(a)) continue;
          const f = resolveCallee(a, plan.checker);
          if (
            f &&
            !plan.twins.has(f) &&
            ts.isFunctionLike(f) &&
            'body' in f &&
            f.body &&
            isProgramSource(f.getSourceFile(), plan)
          )
            add(f);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(fn);
  }
  return plan;
}

/** Methods of program classes that override `m` (same name, with a body, in a class derived from m's class). */
function overridesOf(
  m: ts.MethodDeclaration,
  classes: readonly ts.ClassDeclaration[],
  checker: ts.TypeChecker,
): ts.MethodDeclaration[] {
  const base = checker.getTypeAtLocation(m.parent).getSymbol();
  const isStatic = !!ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
  const name = m.name.getText();
  const derives = (t: ts.Type, depth = 0): boolean =>
    depth < 20 &&
    (t.isClassOrInterface() ? checker.getBaseTypes(t) : []).some(
      (b) => b.getSymbol() === base || derives(b, depth + 1),
    );
  const out: ts.MethodDeclaration[] = [];
  for (const c of classes) {
    if (c === m.parent || !derives(checker.getTypeAtLocation(c))) continue;
    for (const member of c.members) {
      if (
        ts.isMethodDeclaration(member) &&
        member.body &&
        member.name.getText() === name &&
        !!ts.getModifiers(member)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword) === isStatic
      )
        out.push(member);
    }
  }
  return out;
}

/** Module specifier for importing `target` from `from` (both program files). */
export function relativeSpecifier(from: ts.SourceFile, target: string): string {
  const ext = /\.(d\.)?([cm]?)tsx?$/.exec(target);
  let rel = path
    .relative(path.dirname(from.fileName), target)
    .replace(/\\/g, '/')
    .replace(/\.(d\.)?[cm]?tsx?$/, '');
  if (!rel.startsWith('.')) rel = './' + rel;
  // ES modules under node16/nodenext resolution need the output file's extension
  if (from.impliedNodeFormat === ts.ModuleKind.ESNext) rel += `.${ext?.[2] ?? ''}js`;
  return rel;
}
