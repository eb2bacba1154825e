import { escapeHtml, renderHtmlPage } from '../../runtime/report/html_page.js';
import type { Inspection, StepView } from './inspection.js';
import { formatBytes, renderMemorySvg } from './memory_svg.js';
import { INSPECTOR_SCRIPT } from './page_script.js';
import type { ProfileView } from './profile.js';
import type { GraphView, NodeView } from './views.js';

/**
 * The inspector page: one self-contained HTML file (see runtime/report/html_page.ts) with the
 * numbers `inspect --json` reports, the graph before and after the passes, every kernel in
 * schedule order with its fused nodes and WGSL, the memory timeline and, given a profile, each
 * kernel's device time. Facts carry `data-fact`/`data-value` attributes, so tools and tests
 * read the exact numbers shown.
 */

const e = escapeHtml;

function fact(key: string, label: string, value: number | null, text: string): string {
  return `<div class="fact" data-fact="${key}" data-value="${value ?? ''}"><span class="label">${e(label)}</span><span class="value">${e(text)}</span></div>`;
}

function bytesFact(key: string, label: string, bytes: number | null): string {
  return fact(key, label, bytes, bytes === null ? '—' : `${formatBytes(bytes)} (${bytes} B)`);
}

function nodeRows(nodes: readonly NodeView[]): string {
  return nodes
    .map(
      (n, i) =>
        `<tr class="searchable"><td class="num">${i}</td><td><span class="tag">${e(n.op)}</span></td><td>${e(n.name)}</td><td>${n.inputs.map(e).join(', ')}</td><td>${n.outputs.map((o) => `${e(o.name)}: <code>${e(o.type)}</code>`).join('<br>')}</td><td class="muted">${e(n.attrs)}</td></tr>`,
    )
    .join('\n');
}

function graphSection(id: string, title: string, graph: GraphView | undefined, missing: string): string {
  if (!graph) return `<section id="${id}"><h2>${e(title)}</h2><p class="note">${e(missing)}</p></section>`;
  const io = (list: GraphView['inputs']) => list.map((t) => `${e(t.name)}: <code>${e(t.type)}</code>`).join(', ') || '—';
  return `<section id="${id}"><details${graph.nodes.length <= 60 ? ' open' : ''}><summary><strong>${e(title)}</strong>: ${graph.nodes.length} nodes, ${graph.constants} constants, ${graph.states} states</summary><div class="inner">
<p>inputs: ${io(graph.inputs)}<br>outputs: ${io(graph.outputs)}</p>
<table><thead><tr><th class="num">#</th><th>op</th><th>name</th><th>inputs</th><th>outputs</th><th>attributes</th></tr></thead><tbody>
${nodeRows(graph.nodes)}
</tbody></table></div></details></section>`;
}

function stepDetails(step: StepView, inspection: Inspection, profile: ProfileView | undefined): string {
  const kernel = inspection.kernels[step.kernel];
  const timed = profile?.rows.find((r) => r.inspectedStep === step.step);
  const ops = step.members ? step.members.map((m) => `<span class="tag${m.name === step.anchor ? ' anchor' : ''}">${e(m.op)}</span>`).join('') : `<span class="muted">${e(step.label)}</span>`;
  const time = timed ? ` <span class="muted">${timed.ms.toFixed(3)} ms (${timed.share.toFixed(1)}%)</span>` : '';
  const members = step.members
    ? `<h3>fused nodes (${step.members.length})${step.anchor ? `, anchor ${e(step.anchor)}` : ''}</h3><table><thead><tr><th class="num">#</th><th>op</th><th>name</th><th>inputs</th><th>outputs</th><th>attributes</th></tr></thead><tbody>${nodeRows(step.members)}</tbody></table>`
    : `<p>nodes: ${e(step.label)}</p>`;
  const tensors = step.tensors.map((t) => `<tr><td>${e(t.name)}</td><td><code>${e(t.type)}</code></td><td>${e(t.region)}</td><td class="num">${t.offset}</td><td class="num">${t.bytes}</td></tr>`).join('');
  return `<details class="searchable step" data-step="${step.step}"><summary><strong>#${step.step}</strong> ${e(kernel.name)} ${ops}${time}</summary><div class="inner">
${members}
<p>dispatch [${step.dispatch.join(', ')}] × workgroup [${kernel.workgroupSize.join(', ')}], entry point <code>${e(kernel.entryPoint)}</code>${step.flops ? `, ${step.flops.toLocaleString('en-US')} FLOPs` : ''}; kernel ${kernel.index} (used by step${kernel.steps.length > 1 ? 's' : ''} ${kernel.steps.join(', ')})</p>
<table><thead><tr><th>bound tensor</th><th>type</th><th>region</th><th class="num">offset</th><th class="num">bytes</th></tr></thead><tbody>${tensors}</tbody></table>
<details><summary>WGSL (${kernel.wgsl.split('\n').length} lines)</summary><pre><code>${e(kernel.wgsl)}</code></pre></details>
</div></details>`;
}

function profileSection(profile: ProfileView | undefined): string {
  if (!profile) {
    return `<section id="profile"><h2>Device time</h2><p class="note">No profile given: <code>dawnflow run &lt;model&gt; --profile --json &gt; profile.json</code>, then <code>inspect … --html page.html --profile profile.json</code>.</p></section>`;
  }
  const rows = [...profile.rows].sort((a, b) => b.ms - a.ms);
  const widest = Math.max(...rows.map((r) => r.ms), 1e-9);
  const peakNote = profile.peakGflops
    ? `% of peak against ${profile.peakGflops} GFLOP/s`
    : '% of peak needs the device peak: give --peak-gflops (npm run bench measures the f32 FMA peak)';
  const body = rows
    .map(
      (r) =>
        `<tr class="searchable" data-profile-step="${r.step}"><td class="num">${r.inspectedStep ?? '—'}</td><td>${e(r.kernel)}</td><td class="muted">${e(r.label)}</td><td class="num">${r.ms.toFixed(3)}</td><td><span class="bar" style="width:${Math.round((80 * r.ms) / widest)}px"></span> ${r.share.toFixed(1)}%</td><td class="num">${r.gflops === undefined ? '—' : r.gflops.toFixed(2)}</td><td class="num">${r.percentOfPeak === undefined ? '—' : `${r.percentOfPeak.toFixed(1)}%`}</td><td class="num">${r.gbPerS === undefined ? '—' : r.gbPerS.toFixed(2)}</td></tr>`,
    )
    .join('\n');
  return `<section id="profile"><h2>Device time</h2>
<p>${e(profile.adapter)}: <span data-fact="profileTotalMs" data-value="${profile.totalMs}">${profile.totalMs.toFixed(3)} ms</span> in ${profile.rows.length} steps (median per step, timestamp queries); ${profile.matched} of them matched to this page's kernels by their nodes. ${e(peakNote)}.</p>
<table><thead><tr><th class="num">step</th><th>kernel</th><th>nodes</th><th class="num">ms</th><th>share</th><th class="num">GFLOP/s</th><th class="num">% of peak</th><th class="num">GB/s</th></tr></thead><tbody>
${body}
</tbody></table></section>`;
}

export function renderInspectorPage(inspection: Inspection, profile?: ProfileView): string {
  const s = inspection.summary;
  const steps = inspection.steps.length;
  const requirements = [...inspection.requirements.features.map((f) => `feature ${f}`), ...Object.entries(inspection.requirements.limits).map(([k, v]) => `${k} ${k.startsWith('min') ? '≤' : '≥'} ${v}`)];
  const body = [
    `<div class="facts">`,
    fact('kernels', 'kernels (after fusion)', s.kernels, String(s.kernels)),
    fact('kernelsUnfused', 'without fusion', s.kernelsUnfused, s.kernelsUnfused === null ? '— (artifact)' : String(s.kernelsUnfused)),
    bytesFact('naiveBytes', 'naive (a buffer each)', s.memory.naiveBytes),
    bytesFact('arenaBytes', 'planned arena', s.memory.arenaBytes),
    bytesFact('lowerBoundBytes', 'lower bound (peak live)', s.memory.lowerBoundBytes),
    bytesFact('schedulePeakBytes', 'schedule peak', s.schedulePeakBytes),
    `</div>`,
    `<p class="note">requires: ${requirements.length ? e(requirements.join(', ')) : 'nothing beyond WebGPU'}. ${inspection.kernels.length} distinct WGSL modules for ${steps} dispatches.</p>`,
    `<div class="toolbar"><input id="search" type="search" placeholder="search ops, names, shapes…" aria-label="search"><button id="expand-all" type="button">expand all</button><button id="collapse-all" type="button">collapse all</button><span id="search-count" class="muted"></span></div>`,
    graphSection('graph-before', 'Graph before the passes', inspection.graphs.before, 'An artifact keeps the compiled plan, not the graph: inspect the model or module to see it.'),
    graphSection('graph-after', 'Graph after the passes', inspection.graphs.after, 'An artifact keeps the compiled plan, not the graph: inspect the model or module to see it.'),
    `<section id="kernels"><h2>Kernels in schedule order (${steps})</h2>`,
    ...inspection.steps.map((step) => stepDetails(step, inspection, profile)),
    `</section>`,
    `<section id="memory"><h2>Memory timeline: arena offsets × steps</h2><div class="svg-wrap">${renderMemorySvg(inspection.memory.blocks, steps, s)}</div>`,
    `<details><summary>${inspection.memory.blocks.length} arena blocks</summary><div class="inner"><table><thead><tr><th>tensor</th><th class="num">offset</th><th class="num">bytes</th><th class="num">from step</th><th class="num">to step</th></tr></thead><tbody>`,
    ...inspection.memory.blocks.map((b) => `<tr class="searchable"><td>${e(b.name)}</td><td class="num">${b.offset}</td><td class="num">${b.bytes}</td><td class="num">${b.start}</td><td class="num">${b.end}</td></tr>`),
    `</tbody></table></div></details></section>`,
    profileSection(profile),
  ].join('\n');
  return renderHtmlPage({
    title: `dawnflow inspect: ${inspection.name}`,
    subtitle: `${inspection.source.kind} ${inspection.source.path}`,
    body,
    data: { inspection: { ...inspection, kernels: inspection.kernels.map(({ wgsl: _wgsl, ...k }) => k) }, profile },
    script: INSPECTOR_SCRIPT,
  });
}
