/**
 * One self-contained HTML page: inline CSS and script, no network (no CDN, fonts or images from
 * elsewhere), so it opens from disk, offline, years later. The inspector (compiler/report/
 * inspector) and training curves (runtime/training/curves_page.ts) write this kind of page.
 */

export interface HtmlPage {
  readonly title: string;
  /** Under the title: what the page is about (a file, a model). */
  readonly subtitle?: string;
  /** The page's content, already HTML (build it with `escapeHtml` for every text). */
  readonly body: string;
  /** Embedded as JSON in <script type="application/json" id="page-data">, for scripts and tests. */
  readonly data?: unknown;
  /** An inline script run once the page is parsed. */
  readonly script?: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON that cannot end the <script> element holding it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const STYLE = `
:root { --ink: #1d2330; --muted: #5d6677; --line: #d9dde5; --panel: #f6f7f9; --accent: #1f5fbf; --warn: #b00020; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); }
header { padding: 16px 24px 8px; border-bottom: 1px solid var(--line); position: sticky; top: 0; background: #fff; z-index: 2; }
header h1 { margin: 0; font-size: 20px; }
header .subtitle { color: var(--muted); margin: 2px 0 0; word-break: break-all; }
main { padding: 8px 24px 48px; }
section { margin-top: 20px; }
h2 { font-size: 16px; margin: 0 0 8px; }
.facts { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0 4px; }
.fact { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; }
.fact .label { color: var(--muted); font-size: 12px; display: block; }
.fact .value { font-weight: 600; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); position: sticky; top: 0; }
td.num, th.num { text-align: right; }
code, pre { font: 12px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
pre { background: var(--panel); border: 1px solid var(--line); padding: 8px; overflow: auto; max-height: 480px; }
details { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; }
details > summary { cursor: pointer; padding: 6px 10px; background: var(--panel); border-radius: 6px; }
details[open] > summary { border-bottom: 1px solid var(--line); border-radius: 6px 6px 0 0; }
details > .inner { padding: 8px 10px; }
.muted { color: var(--muted); }
.tag { display: inline-block; padding: 0 6px; border-radius: 4px; background: #e8eefb; color: var(--accent); font-size: 12px; margin-right: 4px; }
.tag.anchor { background: #fde7c8; color: #8a4b00; }
.bar { display: inline-block; height: 10px; background: var(--accent); vertical-align: middle; }
.toolbar { display: flex; gap: 8px; align-items: center; margin-top: 8px; }
.toolbar input { flex: 1; max-width: 420px; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
.toolbar button { padding: 5px 10px; border: 1px solid var(--line); background: #fff; border-radius: 6px; cursor: pointer; font: inherit; }
.hidden { display: none !important; }
.svg-wrap { overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
.note { color: var(--muted); font-size: 13px; }
.error { color: var(--warn); }
`;

export function renderHtmlPage(page: HtmlPage): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No favicon request either: the page asks nothing of the network.
    '<link rel="icon" href="data:,">',
    `<title>${escapeHtml(page.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<header><h1>${escapeHtml(page.title)}</h1>${page.subtitle ? `<p class="subtitle">${escapeHtml(page.subtitle)}</p>` : ''}</header>`,
    `<main>\n${page.body}\n</main>`,
    page.data === undefined ? '' : `<script type="application/json" id="page-data">${scriptJson(page.data)}</script>`,
    page.script ? `<script>${page.script}</script>` : '',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
