#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (npm run build).
// The AWS SDK warns on every run that its releases after January 2027 need Node 22; the
// README states the Node requirement once instead.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { main } = require('../dist/client/cli.js');
main(process.argv).then((code) => { process.exitCode = code; });
