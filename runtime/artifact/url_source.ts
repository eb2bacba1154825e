import type { ArtifactSource } from './source.js';

/**
 * An artifact served over HTTP (a web page, or Node's fetch): each file fetched relative to the
 * artifact's URL. A relative URL resolves against the page's address.
 */
export function urlSource(url: string | URL, fetchFile: typeof fetch = (input, init) => fetch(input, init)): ArtifactSource {
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  const base = new URL(url, page);
  // The artifact is a directory: without a trailing slash its last segment would be replaced.
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return {
    location: base.href,
    async read(path) {
      // Each segment escaped, so a '#' or '?' in a file name stays part of the name.
      const response = await fetchFile(new URL(path.split('/').map(encodeURIComponent).join('/'), base));
      if (!response.ok) throw new Error(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}
