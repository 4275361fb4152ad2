// Imported first by forwardgrad/jest: a missing peer is reported with its install line before any
// import of it runs (an import statement cannot be wrapped in a try).
import { checkPeers } from '../peers';

checkPeers('forwardgrad/jest');
