#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (npm run build).
const { main } = require('../dist/client/cli.js');
main(process.argv).then((code) => { process.exitCode = code; });
