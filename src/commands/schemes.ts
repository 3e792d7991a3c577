import { schemes } from '../schemes/registry.js';
import { renderSchemes, schemeJson } from '../render/verdict.js';
import { styleFor, useColor } from '../render/style.js';
import type { IO } from './input.js';

/** `whk schemes`: every scheme with its headers, algorithm, timestamp rule and secret format. */
export function schemesCommand(flags: { json?: boolean; color?: boolean }, { out }: IO): number {
  out(flags.json ? JSON.stringify(schemes.map(schemeJson), null, 2) : renderSchemes(schemes, styleFor(useColor(process.stdout, flags.color))));
  return 0;
}
