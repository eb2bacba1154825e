import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { DeviceError } from '../../ir/errors.js';

/**
 * Headless Chromium with WebGPU, driven by puppeteer-core. Without a GPU, Chromium's WebGPU is
 * its bundled SwiftShader (a fallback adapter; it never picks lavapipe, blocklisted as a CPU
 * adapter). The system binary is launched directly: /usr/bin/chromium is a wrapper script.
 */

/** Where Debian, Ubuntu and others put the binary; DAWNFLOW_CHROMIUM overrides. */
const CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/lib/chromium-browser/chromium-browser', '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export const CHROMIUM_ARGS: readonly string[] = [
  '--enable-unsafe-webgpu',
  // Root in a container has no user namespaces for the sandbox.
  '--no-sandbox',
  // The machine may have no network: without these Chromium keeps trying, refused many at a time.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** How long one call into the page may take. */
const PROTOCOL_TIMEOUT_MS = 900_000;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Chromium binary, or undefined with `why` when there is none. */
export function findChromium(): { path?: string; why?: string } {
  const chosen = process.env.DAWNFLOW_CHROMIUM;
  if (chosen) return executable(chosen) ? { path: chosen } : { why: `DAWNFLOW_CHROMIUM=${chosen} is not an executable file` };
  const path = CANDIDATES.find(executable);
  return path ? { path } : { why: `no Chromium found (looked for ${CANDIDATES[0]} and ${CANDIDATES.length - 1} other paths; on Debian as root: apt-get install chromium, or npm run setup:webgpu; or set DAWNFLOW_CHROMIUM)` };
}

/** A launched browser and what closing it must clean up. */
export interface Chromium {
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Launches headless Chromium with WebGPU and a fresh profile (removed again by close()). */
export async function launchChromium(): Promise<Chromium> {
  const { path, why } = findChromium();
  if (!path) throw new DeviceError(`run --browser: ${why}`);
  const { launch } = await import('puppeteer-core');
  const profile = await mkdtemp(join(tmpdir(), 'dawnflow-chromium-'));
  let browser: Browser;
  try {
    // A run of a large model on SwiftShader may take minutes: longer than puppeteer's default 3.
    browser = await launch({ executablePath: path, headless: true, userDataDir: profile, args: [...CHROMIUM_ARGS], protocolTimeout: PROTOCOL_TIMEOUT_MS });
  } catch (cause) {
    await rm(profile, { recursive: true, force: true });
    throw new DeviceError(`run --browser: launching ${path} failed: ${String(cause instanceof Error ? cause.message : cause).split('\n')[0]}`, { cause });
  }
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
