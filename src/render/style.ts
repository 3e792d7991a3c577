import type { ChalkInstance } from 'chalk';

/**
 * Colours only for a terminal: off when the stream is not a TTY, when NO_COLOR is set, or with
 * --no-color; FORCE_COLOR turns them on.
 */
export function useColor(stream: NodeJS.WriteStream, flag?: boolean): boolean {
  if (flag === false) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return Boolean(stream.isTTY);
}

export type Style = ChalkInstance;

/**
 * A style that colours nothing: every chalk method (chained too) returns its text unchanged.
 * (`then` stays undefined so that the style can be returned from an async function.)
 */
export const plain: Style = new Proxy((...text: unknown[]) => text.join(' '), {
  get: (_target, prop) => (prop === 'then' ? undefined : plain),
}) as unknown as Style;

/**
 * chalk when colouring, `plain` otherwise. chalk is imported only when needed: piped and CI
 * runs never load it (start-up is part of the product).
 */
export async function loadStyle(color: boolean): Promise<Style> {
  if (!color) return plain;
  const { Chalk } = await import('chalk');
  return new Chalk({ level: 2 });
}
