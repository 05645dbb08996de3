import { TextDecoder } from 'util';

/** Decodes a byte stream as text: UTF-8 (with or without a BOM) or UTF-16 with a BOM, as `decodeText` does for a whole file. */
export class TextStreamDecoder {
  private decoder: TextDecoder | undefined;
  private swap = false;
  private head: Uint8Array = new Uint8Array(0);
  private odd: number | undefined;

  /** Text decoded so far from `bytes`; a character split between chunks comes out with the next one. */
  push(bytes: Uint8Array): string {
    if (!this.decoder) {
      this.head = concat(this.head, bytes);
      if (this.head.length < 3) return '';
      return this.start(this.head);
    }
    return this.decode(bytes, true);
  }

  end(): string {
    if (!this.decoder) return this.head.length ? this.start(this.head) + this.decode(new Uint8Array(0), false) : '';
    return this.decode(new Uint8Array(0), false);
  }

  private start(bytes: Uint8Array): string {
    let skip = 0;
    if (bytes[0] === 0xff && bytes[1] === 0xfe) {
      this.decoder = new TextDecoder('utf-16le');
      skip = 2;
    } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
      // Big-endian: bytes are swapped in pairs and read as little-endian.
      this.decoder = new TextDecoder('utf-16le');
      this.swap = true;
      skip = 2;
    } else {
      this.decoder = new TextDecoder('utf-8');
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) skip = 3;
    }
    return this.decode(bytes.subarray(skip), true);
  }

  private decode(bytes: Uint8Array, stream: boolean): string {
    let input = bytes;
    if (this.swap) {
      if (this.odd !== undefined) input = concat(Uint8Array.of(this.odd), input);
      const even = input.length & ~1;
      this.odd = input.length > even ? input[even] : undefined;
      const swapped = new Uint8Array(even);
      for (let i = 0; i < even; i += 2) {
        swapped[i] = input[i + 1];
        swapped[i + 1] = input[i];
      }
      input = swapped;
    }
    return this.decoder!.decode(input, { stream });
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const result = new Uint8Array(a.length + b.length);
  result.set(a);
  result.set(b, a.length);
  return result;
}
