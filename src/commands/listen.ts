import type { IO } from './input.js';
export async function listenCommand(_flags: Record<string, unknown>, _io: IO): Promise<number> { throw new Error('not implemented'); }
