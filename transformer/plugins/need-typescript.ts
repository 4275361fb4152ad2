// Imported first by the esbuild and jest entry points: every other module of theirs loads `typescript`.
import { requirePeer } from './peers';

requirePeer('typescript', 'forwardgrad (its esbuild and jest plugins)');
