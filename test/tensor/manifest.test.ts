// The manifest the transformer reads must agree with the rule table and the runtime's exports.
import { TENSOR_METHODS, TENSOR_OPS } from '../../runtime/ops/manifest';
import { JVP_RULES, METHOD_RULES } from '../../runtime/ops/jvp-rules';
import * as runtime from '../../runtime/index';

describe('op manifest', () => {
  test('lists exactly the ops of the rule table', () => {
    expect(Object.keys(TENSOR_OPS).sort()).toEqual(Object.keys(JVP_RULES).sort());
    expect(Object.keys(TENSOR_METHODS).sort()).toEqual(Object.keys(METHOD_RULES).sort());
  });

  test.each(Object.entries(TENSOR_OPS))('%s: the op and its JVP are exported, with matching arity', (op, entry) => {
    const api = runtime as unknown as Record<string, Function>;
    expect(typeof api[op]).toBe('function');
    expect(api[entry.jvp]).toBe(JVP_RULES[op].jvp);
    const diff = entry.args.filter((a) => a === 'diff').length;
    // JVP takes (primal, tangent) per diff arg then the statics; the op takes each arg once.
    expect(api[entry.jvp].length).toBe(2 * diff + entry.args.length - diff);
    expect(api[op].length).toBe(entry.args.length);
  });

  test('item is a method rule exported by name', () => {
    expect((runtime as any)[TENSOR_METHODS.item.jvp]).toBe(METHOD_RULES.item.jvp);
  });
});
