/**
 * The page `run --browser` drives: an import map that names the runtime bundle
 * 'dawnflow/runtime' (as an artifact's typed module imports it), the bridge script, and a
 * status line the bridge writes what it did into (a typed error included).
 */
export const RUNTIME_PATH = '/dawnflow-runtime.js';
export const BRIDGE_PATH = '/bridge.js';

export const RUNNER_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>dawnflow run --browser</title>
<script type="importmap">{ "imports": { "dawnflow/runtime": "${RUNTIME_PATH}" } }</script>
<style>body { font: 14px system-ui, sans-serif; margin: 2em; } #status { white-space: pre-wrap; } body[data-state="error"] #status { color: #b00020; }</style>
</head>
<body data-state="loading">
<h1>dawnflow</h1>
<p id="status">loading the runtime…</p>
<script type="module">
import * as bridge from '${BRIDGE_PATH}';
globalThis.dawnflowBridge = bridge;
document.body.dataset.state = 'ready';
document.getElementById('status').textContent = 'ready';
</script>
</body>
</html>
`;
