// Values whose type hides whether they carry a tangent (issue 8): `any`/`unknown`, and above all the checker's error
// type, which is what a parameter typed with an unresolved import or a missing type package gets. Treated as
// inactive they would give a zero tangent with no error, so they are TS94003 errors naming the value and why.
import * as ts from 'typescript';
import { CODES, ForwardGradError, snippet } from './diagnostics';
import { isOpaque } from './types';

/** The checker's error type (an unresolved name) prints as `any` but has this intrinsic name. */
function isErrorType(type: ts.Type): boolean {
  return (type as ts.Type & { intrinsicName?: string }).intrinsicName === 'error';
}

/** Does `type` contain the error type where a tangent could live (itself, an array element, a tuple member, a union part)? */
export function hasErrorType(type: ts.Type, checker: ts.TypeChecker, depth = 0): boolean {
  if (isErrorType(type)) return true;
  if (depth > 4) return false;
  if (type.isUnionOrIntersection()) return type.types.some((t) => hasErrorType(t, checker, depth + 1));
  if (checker.isArrayType(type) || checker.isTupleType(type)) {
    return checker.getTypeArguments(type as ts.TypeReference).some((t) => hasErrorType(t, checker, depth + 1));
  }
  return false;
}

/** The declaration a name refers to, through imports (an import of an unresolved module has none). */
function declarationOf(node: ts.Node, checker: ts.TypeChecker): ts.Declaration | undefined {
  const s = ts.isIdentifier(node) ? checker.getSymbolAtLocation(node) : undefined;
  return s?.valueDeclaration ?? s?.declarations?.[0];
}

/** Why a value of opaque type is opaque, in words for a message; undefined when its type is not opaque. */
export function opaqueReason(node: ts.Node, type: ts.Type, checker: ts.TypeChecker): string | undefined {
  if (!isOpaque(type) && !hasErrorType(type, checker)) return undefined;
  const decl = ts.isParameter(node) || ts.isVariableDeclaration(node) ? node : declarationOf(node, checker);
  const typeNode =
    decl && (ts.isParameter(decl) || ts.isVariableDeclaration(decl) || ts.isPropertySignature(decl))
      ? decl.type
      : undefined;
  if (hasErrorType(type, checker) && typeNode) return `its type '${typeNode.getText()}' could not be resolved`;
  if (decl && (ts.isImportSpecifier(decl) || ts.isImportClause(decl) || ts.isNamespaceImport(decl))) {
    return 'it is imported from a module whose types could not be resolved';
  }
  if (isErrorType(type)) return 'its type could not be resolved';
  if (typeNode) return `it is typed '${typeNode.getText()}'`;
  if (decl && (ts.isParameter(decl) || ts.isVariableDeclaration(decl)))
    return `it has no type annotation, so its type is '${checker.typeToString(type)}'`;
  return `its type is '${checker.typeToString(type)}'`;
}

/** The fix for an unresolved type, and for a merely untyped (`any`) value. */
export const FIX =
  'fix the import or install the missing type package (e.g. npm i -D @types/…): the transform needs the real type to know whether the value is differentiated';
const TYPE_IT =
  'give it a numeric type (number, number[], Float64Array, Tensor) if it is differentiated, or a non-numeric one if it is data';

function fixFor(node: ts.Node, type: ts.Type, checker: ts.TypeChecker): string {
  const decl = ts.isParameter(node) || ts.isVariableDeclaration(node) ? node : declarationOf(node, checker);
  const imported = !!decl && (ts.isImportSpecifier(decl) || ts.isImportClause(decl) || ts.isNamespaceImport(decl));
  return hasErrorType(type, checker) || imported ? FIX : TYPE_IT;
}

/**
 * A parameter of a differentiated function whose type did not resolve, or that has no annotation and no contextual
 * type: whether it is differentiated cannot be known. (A parameter explicitly typed `any` is data; an `any` value is
 * caught where it meets active arithmetic, `checkOperand`.)
 */
export function checkParameter(p: ts.ParameterDeclaration, checker: ts.TypeChecker): void {
  const type = checker.getTypeAtLocation(p);
  const unresolved = hasErrorType(type, checker);
  if (!isOpaque(type) && !unresolved) return;
  // implicit `any` only: a callback parameter inferred as `unknown` (`Array.from({ length: n }, (_, i) => …)`) is data
  const implicit = !p.type && !p.initializer && !!(type.flags & ts.TypeFlags.Any);
  if (!unresolved && !implicit) return;
  const name = ts.isIdentifier(p.name) ? `'${p.name.text}'` : `'${p.name.getText()}'`;
  throw new ForwardGradError(
    p,
    `parameter ${name} cannot be differentiated or left out: ${opaqueReason(p, type, checker)}, so the transform cannot tell whether it carries a tangent`,
    fixFor(p, type, checker),
    CODES.nonNumericSink,
  );
}

/** An operand of opaque type in arithmetic whose result is active: its tangent would silently be zero. */
export function checkOperand(operand: ts.Expression, checker: ts.TypeChecker): void {
  const type = checker.getTypeAtLocation(operand);
  const why = opaqueReason(operand, type, checker);
  if (why === undefined) return;
  throw new ForwardGradError(
    operand,
    `'${snippet(operand)}' is used with active (differentiated) values, but ${why}, so its tangent would silently be zero`,
    fixFor(operand, type, checker),
    CODES.nonNumericSink,
  );
}
