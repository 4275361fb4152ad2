// Renders Vega / Vega-Lite specs to SVG strings in Node. vega and vega-lite are ESM-only, so they
// are loaded with a dynamic import() (kept as import() by the node16 module setting) on first use.
type VegaModule = typeof import('vega', { with: { 'resolution-mode': 'import' } });
type VegaLiteModule = typeof import('vega-lite', { with: { 'resolution-mode': 'import' } });

let vegaP: Promise<VegaModule> | undefined;
let liteP: Promise<VegaLiteModule> | undefined;

/** A missing plotting package is an error with the line that installs it (only reports need them). */
const needs =
  (name: string) =>
  (e: unknown): never => {
    if (
      (e as NodeJS.ErrnoException)?.code === 'ERR_MODULE_NOT_FOUND' ||
      (e as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND'
    ) {
      throw new Error(`report: the ${name} package is needed to draw the figures (npm install vega vega-lite)`);
    }
    throw e;
  };
const loadVega = () => (vegaP ??= import('vega').catch(needs('vega')));
const loadLite = () => (liteP ??= import('vega-lite').catch(needs('vega-lite')));

/** SVG of a Vega spec (rendered headless: renderer 'none'). */
export async function vegaToSvg(spec: object): Promise<string> {
  const vega = await loadVega();
  const view = new vega.View(vega.parse(spec as never), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** SVG of a Vega-Lite spec (compiled to Vega first). */
export async function vegaLiteToSvg(spec: object): Promise<string> {
  const lite = await loadLite();
  return vegaToSvg(lite.compile(spec as never).spec);
}
