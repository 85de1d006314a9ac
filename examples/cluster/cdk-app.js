// Entry point of the repository's cdk.json: runs examples/cluster/main.ts without a build step. It transpiles the
// TypeScript sources with @swc/core (already a dev dependency, the same transform jest uses) as they are required;
// no type checking here (`npm run typecheck` does that), so `npx cdk synth` stays fast.
'use strict';
const fs = require('fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

require('./main.ts').buildApp().app.synth();
