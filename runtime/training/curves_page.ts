import { escapeHtml, renderHtmlPage } from '../report/html_page.js';
import { type EpochRecord, renderCurves } from './curves.js';

/**
 * A training run's curves as the same kind of self-contained page as the inspector's: the loss
 * and accuracy charts and a table of every epoch's figures. `fit({ curves: 'run.html' })`
 * writes it (an .svg path keeps writing the bare chart).
 */

const num = (v: number | undefined, digits = 4) => (v === undefined ? '—' : Number.isFinite(v) ? v.toFixed(digits) : String(v));
const pct = (v: number | undefined) => (v === undefined ? '—' : `${(100 * v).toFixed(2)}%`);

export function renderCurvesPage(history: readonly EpochRecord[], title = 'training'): string {
  const last = history.at(-1);
  const facts = last
    ? [
        ['epochs', String(history.length)],
        ['loss', num(last.loss)],
        ['validation loss', num(last.valLoss)],
        ['accuracy', pct(last.accuracy)],
        ['validation accuracy', pct(last.valAccuracy)],
        ['examples/s', last.examplesPerSecond.toFixed(0)],
      ]
    : [['epochs', '0']];
  const rows = history
    .map((r) => `<tr><td class="num">${r.epoch}</td><td class="num">${num(r.loss)}</td><td class="num">${pct(r.accuracy)}</td><td class="num">${num(r.valLoss)}</td><td class="num">${pct(r.valAccuracy)}</td><td class="num">${r.seconds.toFixed(2)}</td><td class="num">${r.examplesPerSecond.toFixed(0)}</td></tr>`)
    .join('\n');
  const body = [
    `<div class="facts">${facts.map(([label, value]) => `<div class="fact" data-fact="${escapeHtml(label)}"><span class="label">${escapeHtml(label)}</span><span class="value">${escapeHtml(value)}</span></div>`).join('')}</div>`,
    history.length ? `<section><div class="svg-wrap">${renderCurves(history, title)}</div></section>` : '<p class="note">No epoch finished yet.</p>',
    `<section><h2>Epochs</h2><table><thead><tr><th class="num">epoch</th><th class="num">loss</th><th class="num">accuracy</th><th class="num">validation loss</th><th class="num">validation accuracy</th><th class="num">seconds</th><th class="num">examples/s</th></tr></thead><tbody>\n${rows}\n</tbody></table></section>`,
  ].join('\n');
  return renderHtmlPage({ title: `dawnflow fit: ${title}`, subtitle: `${history.length} epoch${history.length === 1 ? '' : 's'}`, body, data: { history } });
}
