import type { IO } from './input.js';
export async function sendCommand(_url: string | undefined, _flags: Record<string, unknown>, _io: IO): Promise<number> { throw new Error('not implemented'); }
