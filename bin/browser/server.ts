import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';

/**
 * The tiny local web server a page needs: pages and scripts held in memory, and directories
 * (artifacts) mounted under a prefix. Bound to 127.0.0.1, which browsers count as a secure
 * context (navigator.gpu exists only in those). Anything else is a 404.
 */

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wgsl': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

function typeOf(path: string): string {
  return TYPES[extname(path)] ?? 'application/octet-stream';
}

export class LocalServer {
  readonly #server: Server;
  readonly #texts = new Map<string, string>();
  readonly #mounts = new Map<string, string>();
  #origin = '';

  private constructor() {
    this.#server = createServer((request, response) => {
      void this.#serve(new URL(request.url ?? '/', 'http://localhost').pathname, response);
    });
  }

  static async start(): Promise<LocalServer> {
    const server = new LocalServer();
    await new Promise<void>((done, fail) => {
      server.#server.once('error', fail);
      server.#server.listen(0, '127.0.0.1', () => done());
    });
    server.#origin = `http://127.0.0.1:${(server.#server.address() as AddressInfo).port}`;
    return server;
  }

  /** http://127.0.0.1:<port> */
  get origin(): string {
    return this.#origin;
  }

  /** Serves `text` at `path` (e.g. '/index.html'); returns its URL. */
  text(path: string, text: string): string {
    this.#texts.set(path, text);
    return this.#origin + path;
  }

  /** Serves the files under `dir` at `/<prefix>/...`; returns the directory's URL (with a trailing slash). */
  mount(prefix: string, dir: string): string {
    this.#mounts.set(prefix, resolve(dir));
    return `${this.#origin}/${prefix}/`;
  }

  async #serve(path: string, response: ServerResponse): Promise<void> {
    const text = this.#texts.get(path);
    if (text !== undefined) {
      response.writeHead(200, { 'content-type': typeOf(path), 'cache-control': 'no-store' });
      response.end(text);
      return;
    }
    const [, prefix, ...rest] = path.split('/');
    const root = this.#mounts.get(prefix);
    let relative: string;
    try {
      relative = rest.map(decodeURIComponent).join('/');
    } catch {
      return notFound(response);
    }
    const file = root && resolve(join(root, relative));
    if (!file || !file.startsWith(root + sep)) return notFound(response);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return notFound(response);
    response.writeHead(200, { 'content-type': typeOf(file), 'content-length': info.size, 'cache-control': 'no-store' });
    createReadStream(file).pipe(response);
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((done) => this.#server.close(() => done()));
  }
}

function notFound(response: ServerResponse): void {
  response.writeHead(404, { 'content-type': 'text/plain' });
  response.end('not found');
}
