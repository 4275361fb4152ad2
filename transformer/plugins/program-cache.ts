// One ts.Program per build (or jest worker), rebuilt incrementally: unchanged files keep their parsed
// SourceFile (keyed by a version: the file's modification time, or the text a plugin was handed) and
// TypeScript reuses the old program's structure.
import * as fs from 'fs';
import * as ts from 'typescript';
import { sha1 } from './hash';

interface CachedFile {
  readonly version: string;
  readonly parseKey: string;
  readonly sourceFile: ts.SourceFile;
}

/**
 * Declaration files (lib.*.d.ts, @types, packages) parsed once per process and shared by every cache:
 * a build script that runs several esbuild builds, each with its own plugin, parses them once.
 */
const sharedDeclarations = new Map<string, CachedFile>();

export class ProgramCache {
  private readonly host: ts.CompilerHost;
  private readonly files = new Map<string, CachedFile>();
  /** Texts handed to a plugin that differ from the disk (an editor buffer, a watch-mode edit). */
  private readonly texts = new Map<string, string>();
  private program: ts.Program | undefined;
  private rootKey = '';

  constructor(readonly options: ts.CompilerOptions) {
    this.host = ts.createCompilerHost(options, true);
    const readFile = this.host.readFile.bind(this.host);
    this.host.readFile = (fileName) => this.texts.get(fileName) ?? readFile(fileName);
    const getSourceFile = this.host.getSourceFile.bind(this.host);
    this.host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
      const version = this.version(fileName);
      const parseKey =
        typeof languageVersion === 'object'
          ? `${languageVersion.languageVersion}:${languageVersion.impliedNodeFormat}`
          : `${languageVersion}`;
      const cache = fileName.endsWith('.d.ts') && !this.texts.has(fileName) ? sharedDeclarations : this.files;
      const hit = cache.get(fileName);
      if (hit && hit.version === version && hit.parseKey === parseKey && !shouldCreate) return hit.sourceFile;
      const override = this.texts.get(fileName);
      const sourceFile =
        override !== undefined
          ? ts.createSourceFile(fileName, override, languageVersion, true)
          : getSourceFile(fileName, languageVersion, onError, shouldCreate);
      if (sourceFile && version) cache.set(fileName, { version, parseKey, sourceFile });
      return sourceFile;
    };
  }

  /** Makes the program see `text` for `fileName` instead of the file on disk. */
  setText(fileName: string, text: string): void {
    this.texts.set(fileName, text);
  }

  /** The program over `rootNames`; the same object while no root and no file has changed. */
  get(rootNames: readonly string[]): ts.Program {
    const key = [...rootNames].sort().join('\n');
    if (this.program && key === this.rootKey && !this.changedSince(this.program)) return this.program;
    this.program = ts.createProgram({ rootNames, options: this.options, host: this.host, oldProgram: this.program });
    this.rootKey = key;
    return this.program;
  }

  private changedSince(program: ts.Program): boolean {
    return program.getSourceFiles().some((sf) => {
      const cached = this.files.get(sf.fileName) ?? sharedDeclarations.get(sf.fileName);
      return !cached || cached.sourceFile !== sf || cached.version !== this.version(sf.fileName);
    });
  }

  private version(fileName: string): string {
    const text = this.texts.get(fileName);
    if (text !== undefined) return `text:${sha1(text)}`;
    try {
      return `mtime:${fs.statSync(fileName).mtimeMs}`;
    } catch {
      return '';
    }
  }
}
