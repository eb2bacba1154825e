/** One epoch's figures, as fit() records them. */
export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy?: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  readonly seconds: number;
  readonly examplesPerSecond: number;
  /** The epoch fit kept (`keepBest`: the best on the validation data). */
  readonly best?: boolean;
}

interface Series {
  readonly label: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3));

/** One chart: axes with min/max ticks, a polyline per series, a legend. */
function panel(title: string, series: readonly Series[], x0: number, y0: number, width: number, height: number): string {
  const all = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y));
  if (all.length === 0) return '';
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  let [yMin, yMax] = [Math.min(...ys), Math.max(...ys)];
  if (yMin === yMax) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const left = x0 + 50;
  const top = y0 + 24;
  const w = width - 70;
  const h = height - 56;
  const px = (x: number) => left + (xMax === xMin ? w / 2 : ((x - xMin) / (xMax - xMin)) * w);
  const py = (y: number) => top + h - ((y - yMin) / (yMax - yMin)) * h;
  const out = [
    `<text x="${x0 + width / 2}" y="${y0 + 16}" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    `<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#888"/>`,
    `<text x="${left - 6}" y="${top + 4}" text-anchor="end" font-size="11">${fmt(yMax)}</text>`,
    `<text x="${left - 6}" y="${top + h}" text-anchor="end" font-size="11">${fmt(yMin)}</text>`,
    `<text x="${left}" y="${top + h + 16}" font-size="11">${xMin}</text>`,
    `<text x="${left + w}" y="${top + h + 16}" text-anchor="end" font-size="11">${xMax}</text>`,
    `<text x="${left + w / 2}" y="${top + h + 28}" text-anchor="middle" font-size="11">epoch</text>`,
  ];
  series.forEach((s, i) => {
    const pts = s.points.filter(([, y]) => Number.isFinite(y));
    if (pts.length === 0) return;
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of pts) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    out.push(`<text x="${left + w - 4}" y="${top + 14 + 14 * i}" text-anchor="end" font-size="11" fill="${s.color}">${esc(s.label)}</text>`);
  });
  return out.join('\n');
}

/** Loss and (when measured) accuracy per epoch, training and validation, as one SVG image. */
export function renderCurves(history: readonly EpochRecord[], title = 'training'): string {
  const series = (label: string, color: string, pick: (r: EpochRecord) => number | undefined): Series => ({
    label,
    color,
    points: history.filter((r) => pick(r) !== undefined).map((r) => [r.epoch, pick(r)!] as const),
  });
  const lossSeries = [series('train loss', '#1f77b4', (r) => r.loss), series('validation loss', '#ff7f0e', (r) => r.valLoss)];
  const accSeries = [series('train accuracy', '#1f77b4', (r) => r.accuracy), series('validation accuracy', '#ff7f0e', (r) => r.valAccuracy)];
  const hasAccuracy = accSeries.some((s) => s.points.length > 0);
  const width = hasAccuracy ? 880 : 440;
  const height = 300;
  const body = [panel(`${title}: loss`, lossSeries, 0, 0, 440, height), hasAccuracy ? panel(`${title}: accuracy`, accSeries, 440, 0, 440, height) : ''];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${body.join('\n')}\n</svg>\n`;
}
