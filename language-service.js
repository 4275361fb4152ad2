// forwardgrad/language-service, as a physical file: tsserver resolves tsconfig `plugins` names as
// paths under node_modules and ignores the package's `exports` map.
module.exports = require('./dist/transformer/language-service.js');
