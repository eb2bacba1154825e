// Writes the browser runtime bundle and the run --browser page script into dist/browser/ (npm run build).
import { writeBrowserBundles } from '../bin/browser/bundle.js';

await writeBrowserBundles('dist');
console.log('wrote dist/browser/dawnflow-runtime.js and dist/browser/bridge.js');
