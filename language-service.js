// forwardgrad/language-service: tsserver resolves plugins by path, not through package "exports",
// so this file stands at the package root. See transformer/plugins/language-service.ts.
module.exports = require('./dist/transformer/plugins/language-service.js');
