// Which TypeScript types carry tangents (ARCHITECTURE.md "Twins"): numbers, numeric arrays and typed arrays,
// tuples and plain objects with differentiable fields (recursively), Tensor. Everything else is inactive.
import * as ts from 'typescript';

export type DiffKind = 'number' | 'array' | 'typedArray' | 'tuple' | 'object' | 'tensor' | 'none';

const TYPED_ARRAYS = new Set(['Float32Array', 'Float64Array']);

export function diffKind(type: ts.Type, checker: ts.TypeChecker, depth = 0): DiffKind {
  if (depth > 6) return 'none';
  if (type.isUnion()) {
    // `number | undefined` and the like: the defined part decides.
    const parts = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    const kinds = new Set(parts.map((t) => diffKind(t, checker, depth + 1)));
    return kinds.size === 1 ? [...kinds][0] : 'none';
  }
  if (type.flags & ts.TypeFlags.NumberLike && !(type.flags & ts.TypeFlags.EnumLike)) return 'number';
  if (type.isIntersection()) {
    // a branded value (`number & { __brand: 'm' }`, `number[] & Tag`) is what its one differentiable part is
    const kinds = new Set(type.types.map((t) => diffKind(t, checker, depth + 1)).filter((k) => k !== 'none'));
    return kinds.size === 1 ? [...kinds][0] : 'none';
  }
  if (!(type.flags & ts.TypeFlags.Object)) return 'none';
  const name = type.getSymbol()?.getName();
  if (name && TYPED_ARRAYS.has(name)) return 'typedArray';
  if (name === 'Tensor') return 'tensor';
  if (checker.isTupleType(type)) {
    const elems = checker.getTypeArguments(type as ts.TypeReference);
    return elems.some((t) => diffKind(t, checker, depth + 1) !== 'none') ? 'tuple' : 'none';
  }
  if (checker.isArrayType(type)) {
    const elem = checker.getTypeArguments(type as ts.TypeReference)[0];
    return elem && diffKind(elem, checker, depth + 1) !== 'none' ? 'array' : 'none';
  }
  if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) return 'none';
  if (isPlainObjectType(type)) {
    const props = checker.getPropertiesOfType(type);
    const anyDiff = props.some((p) => {
      const decl = p.valueDeclaration ?? p.declarations?.[0];
      if (!decl) return false;
      return diffKind(checker.getTypeOfSymbolAtLocation(p, decl), checker, depth + 1) !== 'none';
    });
    return anyDiff ? 'object' : 'none';
  }
  return 'none';
}

/** Object literal types, interfaces and type aliases of them — not class instances or library objects. */
function isPlainObjectType(type: ts.Type): boolean {
  const sym = type.getSymbol();
  if (!sym) return false;
  if (sym.flags & (ts.SymbolFlags.TypeLiteral | ts.SymbolFlags.ObjectLiteral)) return true;
  if (sym.flags & ts.SymbolFlags.Interface) {
    return !!sym.declarations?.every((d) => !d.getSourceFile().isDeclarationFile);
  }
  return false;
}

/** Types that could hide a number from the analysis (any, unknown): storing an active value there is an error. */
export function isOpaque(type: ts.Type): boolean {
  return !!(type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown));
}

const NEVER_NUMERIC =
  ts.TypeFlags.StringLike |
  ts.TypeFlags.BooleanLike |
  ts.TypeFlags.Undefined |
  ts.TypeFlags.Null |
  ts.TypeFlags.Void |
  ts.TypeFlags.BigIntLike |
  ts.TypeFlags.ESSymbolLike |
  ts.TypeFlags.Never;

/** A type that cannot hold a number (string, boolean, …): an active value flowing there is harmless (e.g. a comparison). */
export function isNeverNumeric(type: ts.Type): boolean {
  if (type.isUnion()) return type.types.every(isNeverNumeric);
  return !!(type.flags & NEVER_NUMERIC);
}
