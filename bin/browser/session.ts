import { dirname, basename } from 'node:path';
import type { Page } from 'puppeteer-core';
import { DeviceError } from '../../ir/errors.js';
import type { HostTensor } from '../../ir/tensor.js';
import { bridgeBundle, runtimeBundle } from './bundle.js';
import { type Chromium, launchChromium } from './chromium.js';
import { BRIDGE_PATH, RUNNER_PAGE, RUNTIME_PATH } from './page_html.js';
import { errorFromPage } from './page_errors.js';
import { LocalServer } from './server.js';
import { tensorFromWire, tensorToWire, type WireResult } from './wire.js';

/**
 * One headless Chromium with the runner page open, served by a local server: artifacts run in
 * it one after another (a launch costs seconds; tests share one per file). Page errors come
 * back as the same typed errors Node would throw; console errors are collected.
 */

export interface BrowserRunOptions {
  /** Load through the artifact's typed module (model.js) instead of loadArtifact. */
  readonly typedModule?: boolean;
  /** A safetensors file replacing the artifact's weights of the same names (other tensors ignored). */
  readonly weights?: string;
}

export interface BrowserRunResult {
  readonly outputs: Record<string, HostTensor>;
  /** The browser's adapter, as the runtime describes it (e.g. "google / swiftshader"). */
  readonly adapter: string;
}

/** How long one run may take in the page (SwiftShader on a few shared cores is slow). */
const RUN_TIMEOUT_MS = 600_000;

export class BrowserSession {
  readonly page: Page;
  /** Console errors and uncaught page errors, in order. */
  readonly consoleErrors: string[] = [];
  readonly server: LocalServer;
  readonly #chromium: Chromium;
  #mounts = 0;

  private constructor(chromium: Chromium, server: LocalServer, page: Page) {
    this.#chromium = chromium;
    this.server = server;
    this.page = page;
    page.on('console', (message) => {
      if (message.type() === 'error') this.consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => this.consoleErrors.push(String(error)));
  }

  /** Starts the server and the browser and opens the runner page (waits until its script is ready). */
  static async open(): Promise<BrowserSession> {
    const [runtime, bridge] = await Promise.all([runtimeBundle(), bridgeBundle()]);
    const server = await LocalServer.start();
    server.text(RUNTIME_PATH, runtime);
    server.text(BRIDGE_PATH, bridge);
    const url = server.text('/index.html', RUNNER_PAGE);
    let chromium: Chromium | undefined;
    try {
      chromium = await launchChromium();
      const page = await chromium.browser.newPage();
      page.setDefaultTimeout(RUN_TIMEOUT_MS);
      const session = new BrowserSession(chromium, server, page);
      await page.goto(url);
      // Strings, not functions, are evaluated in the page: a transpiler's helpers (tsx's __name) do not exist there.
      await page.waitForFunction('globalThis.dawnflowBridge !== undefined', { timeout: 60_000 }).catch((cause: unknown) => {
        throw new DeviceError(`run --browser: the runner page did not start (${session.consoleErrors[0] ?? String(cause)})`, { cause });
      });
      return session;
    } catch (e) {
      await chromium?.close();
      await server.close();
      throw e;
    }
  }

  /** Serves a directory to the page; returns its URL. */
  mount(dir: string): string {
    return this.server.mount(`m${this.#mounts++}`, dir);
  }

  /** Runs an artifact directory in the page; a failure is thrown as the typed error the page reported. */
  async run(dir: string, inputs: Readonly<Record<string, HostTensor>>, options: BrowserRunOptions = {}): Promise<BrowserRunResult> {
    const url = this.mount(dir);
    const weights = options.weights === undefined ? undefined : this.mount(dirname(options.weights)) + encodeURIComponent(basename(options.weights));
    const wire = Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, tensorToWire(t)]));
    const call = `globalThis.dawnflowBridge.run(${JSON.stringify(url)}, ${JSON.stringify(wire)}, ${JSON.stringify({ typedModule: options.typedModule ?? false, weights })})`;
    const result = (await this.page.evaluate(call).catch((cause: unknown) => {
      // The page itself failed (crashed, closed, timed out): not an error the runtime reported.
      throw new DeviceError(`run --browser: the page running ${dir} failed: ${String(cause instanceof Error ? cause.message : cause).split('\n')[0]}`, { cause });
    })) as WireResult;
    if (!result.ok) throw errorFromPage(result.error);
    return { adapter: result.adapter, outputs: Object.fromEntries(Object.entries(result.outputs).map(([name, w]) => [name, tensorFromWire(w)])) };
  }

  /** The page's status line: what the last run did, or its error. */
  status(): Promise<string> {
    return this.page.evaluate("document.getElementById('status')?.textContent ?? ''") as Promise<string>;
  }

  async close(): Promise<void> {
    await this.#chromium.close();
    await this.server.close();
  }
}

/** Opens a session for one run, runs, closes: what `dawnflow run --browser` does. */
export async function runInBrowser(dir: string, inputs: Readonly<Record<string, HostTensor>>, options: BrowserRunOptions = {}): Promise<BrowserRunResult> {
  const session = await BrowserSession.open();
  try {
    return await session.run(dir, inputs, options);
  } finally {
    await session.close();
  }
}
