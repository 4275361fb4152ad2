// One ts.Program per build (or jest worker), rebuilt incrementally: unchanged files keep their parsed
// SourceFile (keyed by modification time) and TypeScript reuses the old program's structure.
import * as fs from 'fs';
import * as ts from 'typescript';

interface CachedFile { readonly mtimeMs: number; readonly languageVersion: ts.ScriptTarget; readonly sourceFile: ts.SourceFile }

export class ProgramCache {
  private readonly host: ts.CompilerHost;
  private readonly files = new Map<string, CachedFile>();
  private program: ts.Program | undefined;
  private rootKey = '';

  constructor(readonly options: ts.CompilerOptions) {
    this.host = ts.createCompilerHost(options, true);
    const getSourceFile = this.host.getSourceFile.bind(this.host);
    this.host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
      const mtimeMs = modificationTime(fileName);
      const version = typeof languageVersion === 'object' ? languageVersion.languageVersion : languageVersion;
      const hit = this.files.get(fileName);
      if (hit && hit.mtimeMs === mtimeMs && hit.languageVersion === version && !shouldCreate) return hit.sourceFile;
      const sourceFile = getSourceFile(fileName, languageVersion, onError, shouldCreate);
      if (sourceFile && mtimeMs >= 0) this.files.set(fileName, { mtimeMs, languageVersion: version, sourceFile });
      return sourceFile;
    };
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
      const cached = this.files.get(sf.fileName);
      return !cached || cached.sourceFile !== sf || cached.mtimeMs !== modificationTime(sf.fileName);
    });
  }
}

function modificationTime(fileName: string): number {
  try {
    return fs.statSync(fileName).mtimeMs;
  } catch {
    return -1;
  }
}
