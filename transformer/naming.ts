// The one place that invents names. User declarations are never renamed: emitted names (twins, tangents,
// temporaries) are made unique against every identifier already in the file and every name handed out.
import * as ts from 'typescript';
import { walk } from './nesting';

export class NameScope {
  private readonly taken: Set<string>;
  /** Per base, the first suffix not yet tried: taken names stay taken, so a search never restarts (issue 10: it was quadratic in the temporaries). */
  private readonly nextSuffix = new Map<string, number>();
  constructor(
    taken: Iterable<string>,
    private readonly parent?: NameScope,
  ) {
    this.taken = new Set(taken);
  }

  has(name: string): boolean {
    return this.taken.has(name) || (this.parent?.has(name) ?? false);
  }

  /** `base`, or `base_1`, `base_2`, … — the first one not taken; marks it taken. */
  fresh(base: string): string {
    const clean = sanitize(base);
    let i = this.nextSuffix.get(clean) ?? 0;
    let name = i ? `${clean}_${i}` : clean;
    while (this.has(name) || isReserved(name)) name = `${clean}_${++i}`;
    this.nextSuffix.set(clean, i + 1);
    this.taken.add(name);
    return name;
  }

  /**
   * The name of `base`'s tangent: `dbase` when that is free, else `base_dot` (numbered if need be), so a user's own
   * `dt` or `dx` (a time step, a grid spacing) never sits beside a look-alike `dt_1` holding something else.
   */
  freshTangent(base: string): string {
    const d = sanitize(tangentName(base));
    if (!this.has(d) && !isReserved(d)) {
      this.taken.add(d);
      return d;
    }
    return this.fresh(`${base}_dot`);
  }

  /** A child scope (a function body): sees this scope's names, adds its own. */
  child(): NameScope {
    return new NameScope([], this);
  }
}

function sanitize(base: string): string {
  const s = base
    .replace(/[^A-Za-z0-9_$]/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_(?=.)/, '')
    .slice(0, 40);
  return /^[A-Za-z_$]/.test(s) ? s : `_${s}`;
}

/** Every identifier text in a file: emitted names must avoid them all. */
export function identifiersIn(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  walk(sf, (n) => {
    if (ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) names.add(n.text);
  });
  return names;
}

export const twinName = (name: string): string => `${name}_jvp`;
export const tangentName = (name: string): string => `d${name}`;

/** Keywords cannot name variables (`do`, `if`, `in`, …). */
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static ' +
    'implements interface package private protected public await arguments eval undefined NaN Infinity'
  ).split(' '),
);
function isReserved(name: string): boolean {
  return RESERVED.has(name);
}
