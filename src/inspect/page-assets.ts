/**
 * The page (HTML, script, style sheet), built by esbuild from src/inspect/page/ and put in place
 * of this module by scripts/bundle.mjs: the CLI serves it from memory, with no build step at run
 * time and nothing to fetch. This stand-in is what tsc sees.
 */
export const PAGE: { html: string; js: string; css: string } = {
  html: '<!doctype html><title>whk inspector</title><p>The inspector page is built by npm run build.</p>',
  js: '',
  css: '',
};
