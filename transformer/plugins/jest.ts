// forwardgrad/jest: a jest transformer. Files that need twins (annotated, or imported by annotated
// code: callee twins live in the callee's module) are emitted from one ts.Program per worker through
// the forward-mode transformer; every other file goes through ts-jest's fast per-file transpilation.
// A transformer diagnostic fails the file with its file:line:column message.
import './check-peers/jest'; // first: names a missing peer with its install line
import { sha1 } from './hash';
import * as fs from 'fs';
import * as path from 'path';
import { TsJestTransformer } from 'ts-jest';
import * as hoistJest from 'ts-jest/dist/transformers/hoist-jest';
import * as ts from 'typescript';
import type { ForwardGradOptions } from '../index';
import { findAnnotatedClosure, hasAnnotation, isTypeScriptSource } from './annotated-closure';
import { ForwardGradBuildError } from './diagnostics';
import type { TwinEmitter } from './emit-file';
import { emitOptions } from './emit-options';
import { ProgramCache } from './program-cache';
import { loadTsConfig, type LoadedConfig } from './tsconfig';
import { transformerFingerprint } from './fingerprint';

export interface ForwardGradJestOptions extends ForwardGradOptions {
  /** tsconfig to read (`<rootDir>` allowed); default: the nearest tsconfig.json above jest's rootDir. */
  readonly tsconfig?: string;
  /** Files or directories (`<rootDir>` allowed) that never need twins: always the fast path. */
  readonly exclude?: readonly string[];
  /** Any other key is passed to ts-jest, which compiles the files that need no twins. */
  readonly [tsJestOption: string]: unknown;
}

/** The parts of jest's TransformOptions this transformer reads. */
interface JestTransformOptions {
  readonly config: { readonly rootDir: string };
  readonly [key: string]: unknown;
}

/** Per-rootDir state, built once per worker process (files do not change during a run). */
interface Project {
  readonly config: LoadedConfig;
  readonly roots: Set<string>;
  closure: ReadonlySet<string>;
  digest: string;
  emitter: TwinEmitter | undefined;
  readonly programs: ProgramCache;
  /** Excluded files and the runtime module: never transformed, never walked into. */
  readonly skip: (file: string) => boolean;
}

export class ForwardGradJestTransformer {
  private readonly tsJest: TsJestTransformer;
  private readonly projects = new Map<string, Project>();

  constructor(private readonly options: ForwardGradJestOptions = {}) {
    const { runtimeModule: _runtime, exclude: _exclude, ...tsJestOptions } = options;
    void _runtime;
    void _exclude;
    // Per-file transpilation for the files without twins: ts-jest's isolatedModules mode, asked for as
    // a compiler-option override (the ts-jest option of that name is deprecated) unless a path is given.
    const fast =
      typeof options.tsconfig === 'string' ? { isolatedModules: true } : { tsconfig: { isolatedModules: true } };
    this.tsJest = new TsJestTransformer({ ...tsJestOptions, ...fast } as never);
    this.process = this.process.bind(this);
    this.getCacheKey = this.getCacheKey.bind(this);
  }

  getCacheKey(sourceText: string, sourcePath: string, transformOptions: JestTransformOptions): string {
    const base = this.tsJest.getCacheKey(sourceText, sourcePath, transformOptions as never);
    const project = this.projectFor(transformOptions.config.rootDir);
    const twins = this.needsTwins(project, sourcePath, sourceText);
    return sha1(base, twins ? `twins:${project.digest}:${this.options.runtimeModule ?? ''}` : 'plain');
  }

  process(sourceText: string, sourcePath: string, transformOptions: JestTransformOptions): { code: string } {
    const project = this.projectFor(transformOptions.config.rootDir);
    if (!this.needsTwins(project, sourcePath, sourceText)) {
      return this.tsJest.process(sourceText, sourcePath, transformOptions as never) as { code: string };
    }
    const file = path.resolve(sourcePath);
    const emitter = this.emitterFor(project, file, sourceText);
    const { code, diagnostics } = emitter.emit(file, this.hoisting(transformOptions));
    if (diagnostics.length) throw new ForwardGradBuildError(diagnostics);
    if (code === undefined) throw new Error(`forwardgrad/jest: TypeScript emitted nothing for ${sourcePath}`);
    return { code };
  }

  /** The worker's emitter, over a program that sees `sourceText` for `file` (jest's text wins over the disk). */
  private emitterFor(project: Project, file: string, sourceText: string): TwinEmitter {
    const seen = project.emitter?.program.getSourceFile(file);
    if (seen?.text !== sourceText) {
      if (seen || ts.sys.readFile(file) !== sourceText) project.programs.setText(file, sourceText);
      project.emitter = undefined;
    }
    // Loaded on first need: a run whose files need no twins never loads the transformer itself.
    const { TwinEmitter: Emitter } = require('./emit-file') as typeof import('./emit-file');
    project.emitter ??= new Emitter(project.programs.get([...project.closure]), {
      runtimeModule: this.options.runtimeModule,
    });
    return project.emitter;
  }

  /** ts-jest's `jest.mock` hoisting, which its own compile path would have applied to this file. */
  private hoisting(transformOptions: JestTransformOptions): ts.TransformerFactory<ts.SourceFile>[] {
    const configSet = (this.tsJest as unknown as { _configsFor(o: unknown): unknown })._configsFor(transformOptions);
    return [hoistJest.factory({ configSet } as never) as ts.TransformerFactory<ts.SourceFile>];
  }

  private needsTwins(project: Project, sourcePath: string, sourceText: string): boolean {
    const file = path.resolve(sourcePath);
    if (!isTypeScriptSource(file) || project.skip(file)) return false;
    if (project.closure.has(file)) return true;
    if (!hasAnnotation(sourceText)) return false;
    // An annotated file the tsconfig does not list (a test file, say): widen the program to it.
    project.roots.add(file);
    this.analyse(project);
    return true;
  }

  private projectFor(rootDir: string): Project {
    let project = this.projects.get(rootDir);
    if (!project) {
      const tsconfig = this.options.tsconfig?.replace('<rootDir>', rootDir);
      const config = loadTsConfig(rootDir, tsconfig);
      const runtime = this.options.runtimeModule && path.resolve(this.options.runtimeModule);
      const excluded = (this.options.exclude ?? []).map((p) => path.resolve(rootDir, p.replace('<rootDir>', rootDir)));
      project = {
        skip: (file) => file === runtime || excluded.some((p) => file === p || file.startsWith(p + path.sep)),
        config,
        roots: new Set(config.fileNames),
        closure: new Set(),
        digest: '',
        emitter: undefined,
        programs: new ProgramCache(emitOptions(config.options, 'cjs')),
      };
      this.analyse(project);
      this.projects.set(rootDir, project);
    }
    return project;
  }

  private analyse(project: Project): void {
    // The runtime module is what twins call, never a callee to differentiate: do not walk into it.
    project.closure = findAnnotatedClosure(project.roots, project.config.options, { stopAt: project.skip }).closure;
    project.emitter = undefined;
    const contents = [...project.closure].sort().map((f) => `${f}\0${fs.readFileSync(f, 'utf8')}`);
    project.digest = sha1(transformerFingerprint(), ...contents);
  }
}

export function createTransformer(options?: ForwardGradJestOptions): ForwardGradJestTransformer {
  return new ForwardGradJestTransformer(options);
}

export default { createTransformer };
