// Resolves the `@app/<lib>` path aliases of tsconfig.json in the compiled output (dist/), so the
// services run with plain `node -r ./tools/register-aliases.js dist/apps/<app>/src/main.js`.
// Hand-written JavaScript on purpose: it must load before anything compiled can.
'use strict';
const Module = require('module');
const path = require('path');

const distLibs = path.resolve(__dirname, '..', 'dist', 'libs');
const original = Module._resolveFilename;
Module._resolveFilename = function resolveAlias(request, ...rest) {
  const match = /^@app\/([a-z-]+)$/.exec(request);
  if (match) {
    return original.call(this, path.join(distLibs, match[1], 'src', 'index.js'), ...rest);
  }
  return original.call(this, request, ...rest);
};
