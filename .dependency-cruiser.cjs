/**
 * The folder rules of the design (ARCHITECTURE.md), checked in CI (`npm run lint`). Type-only
 * imports count too: a folder's vocabulary is part of what it depends on.
 */
const below = (folders) => `^src/(${folders.join('|')})/`;

module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'schemes/ (the core) imports nothing but its own folder, errors.ts and node: built-ins: no provider, no I/O, no renderer',
      severity: 'error',
      from: { path: '^src/schemes/', pathNot: '^src/schemes/definition/(schema|check|messages)\\.ts$' },
      to: { pathNot: ['^src/schemes/', '^src/errors\\.ts$', '^node:', '^(crypto|buffer)$'] },
    },
    {
      name: 'core-schema-library',
      comment: 'the definition format is stated once, as a TypeBox schema: its types, validator and schemes.schema.json come from it',
      severity: 'error',
      from: { path: '^src/schemes/definition/(schema|check|messages)\\.ts$' },
      to: { pathNot: ['^src/schemes/', '^src/errors\\.ts$', '^node:', 'node_modules/@sinclair/typebox/'] },
    },
    {
      name: 'providers-are-data',
      comment: 'providers/ build on the core only: no sending, listening, rendering or commands',
      severity: 'error',
      from: { path: '^src/providers/' },
      to: { pathNot: ['^src/providers/', '^src/schemes/', '^src/errors\\.ts$', '^node:', '^(crypto|buffer)$'] },
    },
    {
      name: 'commands-are-the-top',
      comment: 'only the program (cli.ts), the quick path of sign and verify (quick.ts) and other commands import commands/',
      severity: 'error',
      from: { pathNot: ['^src/(cli|quick)\\.ts$', '^src/commands/'] },
      to: { path: '^src/commands/' },
    },
    {
      name: 'renderers-are-given',
      comment: 'lower folders hand plain data to a renderer they are given: only commands/ and render/ import render/',
      severity: 'error',
      from: { path: below(['schemes', 'providers', 'listen', 'send', 'probe', 'history', 'inspect', 'tunnel', 'io']) },
      to: { path: '^src/render/' },
    },
    {
      name: 'inspector-uses-the-listener-interface',
      comment: 'the inspector sees the listener through its stated interface (listen/events.ts) only',
      severity: 'error',
      from: { path: '^src/inspect/' },
      to: { path: '^src/listen/', pathNot: '^src/listen/events\\.ts$' },
    },
    {
      name: 'no-listener-below',
      comment: 'sending, probing, history and tunnels do not depend on the listener',
      severity: 'error',
      from: { path: below(['send', 'probe', 'history', 'tunnel', 'io']) },
      to: { path: '^src/(listen|inspect)/' },
    },
    {
      name: 'library-is-cli-free',
      comment: 'the library (src/index.ts) reaches none of the CLI: no commands, renderers, commander or undici',
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: { path: ['^src/(commands|render|listen|send|inspect|history|probe|tunnel)/', '^src/cli\\.ts$', 'node_modules/(commander|undici|chalk|ora)'] },
    },
    {
      name: 'quick-path-is-commander-free',
      comment: 'the quick path of sign and verify (src/quick.ts, start-up is measured) reaches neither commander nor the catalogue',
      severity: 'error',
      from: { path: '^src/quick\\.ts$' },
      to: { path: ['node_modules/commander', '^src/providers/index\\.ts$', '^src/catalogue\\.ts$'], reachable: true },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^src/inspect/page/' },
  },
};
