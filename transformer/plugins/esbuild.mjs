// ESM entry of forwardgrad/esbuild, so `import forwardGradPlugin from 'forwardgrad/esbuild'` gets the
// plugin itself in an .mjs build script (Node's default import of CommonJS would give the exports object).
import cjs from './esbuild.js';

export const forwardGradPlugin = cjs.forwardGradPlugin;
export default cjs.forwardGradPlugin;
