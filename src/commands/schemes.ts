import { schemes } from '../schemes/registry.js';
import { renderSchemes, schemeJson } from '../render/verdict.js';
import { loadStyle, useColor } from '../render/style.js';
import type { IO } from './input.js';

/** `whk schemes`: every scheme with its headers, algorithm, timestamp rule and secret format. */
export async function schemesCommand(flags: { json?: boolean; color?: boolean }, { out }: IO): Promise<number> {
  out(flags.json ? JSON.stringify(schemes.map(schemeJson), null, 2) : renderSchemes(schemes, await loadStyle(useColor(process.stdout, flags.color))));
  return 0;
}
