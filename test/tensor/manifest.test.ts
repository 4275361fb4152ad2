// The manifest the transformer reads must agree with the rule table and the runtime's exports: an
// op cannot have a JVP without a VJP (or the other way round), nor a rule without a manifest line.
import { TENSOR_METHODS, TENSOR_OPS } from '../../runtime/ops/manifest';
import { METHOD_RULES, OP_RULES } from '../../runtime/ops/rules';
import * as runtime from '../../runtime/index';

const api = runtime as unknown as Record<string, Function>;

describe('op manifest', () => {
  test('lists exactly the ops of the rule table', () => {
    expect(Object.keys(TENSOR_OPS).sort()).toEqual(Object.keys(OP_RULES).sort());
    expect(Object.keys(TENSOR_METHODS).sort()).toEqual(Object.keys(METHOD_RULES).sort());
  });

  test.each(Object.entries(TENSOR_OPS))(
    '%s: the op, its JVP and its VJP are exported, with matching arity',
    (op, entry) => {
      expect(typeof api[op]).toBe('function');
      expect(api[entry.jvp]).toBe(OP_RULES[op].jvp);
      expect(api[entry.vjp]).toBe(OP_RULES[op].vjp);
      expect(entry.vjp).toBe(`${op}Vjp`);
      expect(entry.jvp).toBe(`${op}Jvp`);
      expect(OP_RULES[op].rule).not.toBe('');
      expect(OP_RULES[op].vjpRule).not.toBe('');
      const diff = entry.args.filter((a) => a === 'diff').length;
      // JVP takes (primal, tangent) per diff arg then the statics; the op takes each arg once;
      // the VJP takes (ȳ, y, args, needs[, saved]).
      expect(api[entry.jvp].length).toBe(2 * diff + entry.args.length - diff);
      expect(api[op].length).toBe(entry.args.length);
      expect(api[op].name).toBe(op);
      expect(api[entry.vjp].length).toBeGreaterThanOrEqual(4);
    },
  );

  test('item is a method rule exported by name, JVP and VJP', () => {
    expect(api[TENSOR_METHODS.item.jvp]).toBe(METHOD_RULES.item.jvp);
    expect(api[TENSOR_METHODS.item.vjp]).toBe(METHOD_RULES.item.vjp);
  });
});
