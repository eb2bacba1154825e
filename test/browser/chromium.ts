import { findChromium } from '../../bin/browser/chromium.js';

/**
 * Whether this machine can run the browser tests. Without Chromium they fail in CI (CI=true)
 * with the reason, and elsewhere are skipped with one line saying why.
 */
export function chromiumAvailable(): boolean {
  const { path, why } = findChromium();
  if (path) return true;
  if (process.env.CI) throw new Error(`browser tests need Chromium in CI: ${why}`);
  console.warn(`browser tests skipped: ${why}`);
  return false;
}
