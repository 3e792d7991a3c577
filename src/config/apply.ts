import type { ConfigValues, MountValues } from './load.js';

/**
 * What whk.json gives to a command's options: every value the command line did not give (flags
 * win), the mounts of the file joined to --mount's (a --mount of the same path wins), the routes
 * of the file after --route's (first match wins, so the command line's come first).
 */
export function applyConfig(values: ConfigValues, o: { given: (key: string) => boolean; get: (key: string) => unknown; set: (key: string, value: unknown) => void }): void {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (key === 'mount') {
      const flags = (o.get('mount') as MountValues[] | undefined) ?? [];
      o.set('mount', [...flags, ...(value as MountValues[]).filter((m) => !flags.some((f) => f.path === m.path))]);
    } else if (key === 'route') {
      o.set('route', [...((o.get('route') as unknown[] | undefined) ?? []), ...(value as unknown[])]);
    } else if (!o.given(key)) {
      o.set(key, value);
    }
  }
}
