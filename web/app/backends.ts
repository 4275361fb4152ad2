// Backend choice in the page: what this browser can run, the best default, and the fallback order.
// A backend that cannot run here is never a blank page: the next one is chosen and the reason is
// shown (no WebGL2 → wasm; no SIMD → js; no SharedArrayBuffer → wasm on one thread).
import { getBackend, setBackend } from '../../runtime/index';

export type Choice = 'gpujs-gpu' | 'wasm' | 'js';
export const LABELS: Record<Choice, string> = { 'gpujs-gpu': 'WebGL', wasm: 'wasm', js: 'js' };
/** Next backend to try when one fails. */
const NEXT: Record<Choice, Choice | undefined> = { 'gpujs-gpu': 'wasm', wasm: 'js', js: undefined };

export interface Selected {
  name: Choice;
  detail: string;
  notes: string[];
}

/** The WebGL2 renderer, or undefined without WebGL2. */
export function webgl2Renderer(): string | undefined {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return undefined;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
}

/** Software GL (SwiftShader, llvmpipe) is a CPU: wasm beats it, so it is not the default. */
export function isSoftwareRenderer(r: string): boolean {
  return /swiftshader|llvmpipe|software|basic render/i.test(r);
}

/** The best backend for this browser when the user has not picked one. */
export function defaultChoice(): { name: Choice; note?: string } {
  const r = webgl2Renderer();
  if (r && !isSoftwareRenderer(r)) return { name: 'gpujs-gpu' };
  if (r)
    return {
      name: 'wasm',
      note: `WebGL2 here is rendered in software (${shortRenderer(r)}), so WebAssembly is faster; pick WebGL to try it anyway.`,
    };
  return { name: 'wasm', note: 'This browser has no WebGL2: training runs on WebAssembly.' };
}

export function shortRenderer(r: string): string {
  const m = /SwiftShader|llvmpipe|NVIDIA[^,)]*|AMD[^,)]*|Intel[^,)]*|Apple[^,)]*|Mali[^,)]*|Adreno[^,)]*/i.exec(r);
  return m ? m[0].trim() : r.slice(0, 40);
}

/** Selects `want`, falling back along NEXT with a note for each backend that could not load. */
export async function select(want: Choice): Promise<Selected> {
  const notes: string[] = [];
  for (let name: Choice | undefined = want; name; name = NEXT[name]) {
    try {
      await setBackend(name);
    } catch (e) {
      const next = NEXT[name];
      notes.push(`${LABELS[name]} is unavailable here (${reason(e)})${next ? `; using ${LABELS[next]}` : ''}.`);
      continue;
    }
    const b = getBackend() as {
      name: string;
      threads?: number;
      variant?: string;
      waitForThreads?(ms: number): boolean;
    };
    let detail = '';
    if (name === 'wasm') {
      // The helper Worker starts while this thread runs; the main thread cannot block for it.
      for (let i = 0; i < 50 && b.threads === 2 && !b.waitForThreads?.(0); i++)
        await new Promise((r) => setTimeout(r, 20));
      detail = `WebAssembly ${b.variant === 'relaxed' ? 'relaxed ' : ''}SIMD · ${b.threads} thread${b.threads === 1 ? '' : 's'}`;
      if (b.threads === 1 && !crossOriginIsolated)
        notes.push(
          'WebAssembly runs on one thread: this page is not cross-origin isolated, so there is no SharedArrayBuffer for a second one.',
        );
    } else if (name === 'gpujs-gpu') {
      detail = `WebGL2 · ${shortRenderer(webgl2Renderer() ?? '')}`;
    } else {
      detail = 'plain JavaScript loops';
    }
    return { name, detail, notes };
  }
  throw new Error(`no backend could load: ${notes.join(' ')}`);
}

export function fallbackFor(name: Choice): Choice | undefined {
  return NEXT[name];
}

function reason(e: unknown): string {
  const m = (e as Error).message ?? String(e);
  return m.length > 160 ? m.slice(0, 157) + '…' : m;
}
