// Renders a Vega-Lite specification to an SVG string, headless (no browser, no canvas).
import * as vega from 'vega';
import { compile } from 'vega-lite';

/** @param {import('vega-lite').TopLevelSpec} spec @returns {Promise<string>} */
export const vegaLiteToSvg = async (spec) => {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
};
