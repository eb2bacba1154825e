import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { InputError } from '../../index.js';

/**
 * The example's text and its character vocabulary. The text is TypeScript's third-party notice
 * file (node_modules/typescript/ThirdPartyNoticeText.txt, ~38 KB of English license prose):
 * TypeScript is a dev dependency, so the file is there after every `npm ci`.
 */
export const CORPUS_PACKAGE = 'typescript';
export const CORPUS_FILE = 'ThirdPartyNoticeText.txt';

/** The corpus with Windows line ends made plain. */
export function loadCorpus(): { text: string; path: string } {
  const path = createRequire(import.meta.url).resolve(`${CORPUS_PACKAGE}/${CORPUS_FILE}`);
  return { text: readFileSync(path, 'utf8').replace(/\r\n?/g, '\n'), path };
}

/** Characters ↔ token ids: one id per distinct character of the text, in code point order. */
export class CharVocabulary {
  readonly chars: readonly string[];
  readonly #ids: ReadonlyMap<string, number>;

  constructor(text: string) {
    this.chars = [...new Set(text)].sort();
    this.#ids = new Map(this.chars.map((c, i) => [c, i]));
  }

  get size(): number {
    return this.chars.length;
  }

  encode(text: string): Int32Array {
    return Int32Array.from([...text], (c, i) => {
      const id = this.#ids.get(c);
      if (id === undefined) throw new InputError(`the character ${JSON.stringify(c)} at index ${i} is not in the vocabulary`);
      return id;
    });
  }

  decode(ids: ArrayLike<number>): string {
    return Array.from(ids, (id) => this.chars[id] ?? '\uFFFD').join('');
  }
}

/**
 * Training windows of `length` tokens and their next-token targets (the window shifted by one),
 * every `stride` tokens of `ids`: x [count, length], y [count, length].
 */
export function windows(ids: Int32Array, length: number, stride: number): { x: Int32Array; y: Int32Array; count: number } {
  const count = Math.max(0, Math.floor((ids.length - length - 1) / stride) + 1);
  const x = new Int32Array(count * length);
  const y = new Int32Array(count * length);
  for (let w = 0; w < count; w++) {
    x.set(ids.subarray(w * stride, w * stride + length), w * length);
    y.set(ids.subarray(w * stride + 1, w * stride + length + 1), w * length);
  }
  return { x, y, count };
}
