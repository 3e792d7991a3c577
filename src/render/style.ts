import { Chalk, type ChalkInstance } from 'chalk';

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

export const styleFor = (color: boolean): ChalkInstance => new Chalk({ level: color ? 2 : 0 });
export type Style = ChalkInstance;
