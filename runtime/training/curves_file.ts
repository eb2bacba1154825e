import { writeFile } from 'node:fs/promises';
import { type EpochRecord, renderCurves } from './curves.js';
import { renderCurvesPage } from './curves_page.js';

/** The curves as SVG, or, for a path ending in .html, as a self-contained page with the epochs' table (curves_page.ts). */
export async function writeCurves(path: string, history: readonly EpochRecord[], title?: string): Promise<void> {
  await writeFile(path, /\.html?$/i.test(path) ? renderCurvesPage(history, title) : renderCurves(history, title));
}
