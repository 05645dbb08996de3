// The screenshot optimiser keeps every pixel of an image with few colours and writes a valid
// indexed PNG (checked by decoding it here independently).
import * as assert from 'assert';
import * as zlib from 'zlib';
import { SIGNATURE, chunk, optimisePng } from './png';

/** An RGBA PNG whose rows use the filters None, Sub and Up in turn, as Chromium's encoder may. */
function rgbaPng(width: number, pixels: number[][]): Buffer {
  const height = pixels.length / width;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 6;
  const rows: number[] = [];
  for (let y = 0; y < height; y++) {
    const filter = y % 3;
    rows.push(filter);
    for (let x = 0; x < width * 4; x++) {
      const value = pixels[y * width + Math.floor(x / 4)]![x % 4]!;
      const left = x >= 4 ? pixels[y * width + Math.floor(x / 4) - 1]![x % 4]! : 0;
      const up = y > 0 ? pixels[(y - 1) * width + Math.floor(x / 4)]![x % 4]! : 0;
      rows.push((value - (filter === 1 ? left : filter === 2 ? up : 0) + 256) & 255);
    }
  }
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(Buffer.from(rows))), chunk('IEND', Buffer.alloc(0))]);
}

function decodeIndexed(png: Buffer): { depth: number; colourType: number; pixels: number[][] } {
  let offset = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let colourType = 0;
  let palette: Buffer = Buffer.alloc(0);
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    assert.strictEqual(png.readUInt32BE(offset + 8 + length), zlib.crc32(png.subarray(offset + 4, offset + 8 + length)) >>> 0, `CRC of ${type}`);
    if (type === 'IHDR') [width, height, depth, colourType] = [body.readUInt32BE(0), body.readUInt32BE(4), body[8]!, body[9]!];
    if (type === 'PLTE') palette = body;
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(data));
  const stride = Math.ceil((width * depth) / 8);
  const pixels: number[][] = [];
  for (let y = 0; y < height; y++) {
    assert.strictEqual(raw[y * (stride + 1)], 0, 'rows are written unfiltered');
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const index = (raw[y * (stride + 1) + 1 + Math.floor(bit / 8)]! >> (8 - depth - (bit % 8))) & ((1 << depth) - 1);
      pixels.push([palette[index * 3]!, palette[index * 3 + 1]!, palette[index * 3 + 2]!]);
    }
  }
  return { depth, colourType, pixels };
}

describe('screenshot optimiser (tests/docs/png.ts)', () => {
  it('keeps every pixel of an image with up to 8 colours, as a 4-bit indexed PNG', () => {
    const colours = [[255, 255, 255], [31, 35, 40], [209, 217, 224], [246, 248, 250], [9, 105, 218]];
    const width = 7;
    const pixels = Array.from({ length: width * 5 }, (_, i) => [...colours[(i * 3 + Math.floor(i / width)) % colours.length]!, 255]);
    const result = decodeIndexed(optimisePng(rgbaPng(width, pixels)));
    assert.strictEqual(result.colourType, 3);
    assert.strictEqual(result.depth, 4);
    assert.deepStrictEqual(result.pixels, pixels.map((p) => p.slice(0, 3)));
  });

  it('maps a colour beyond the palette to the nearest kept colour', () => {
    const white = [255, 255, 255, 255];
    const black = [0, 0, 0, 255];
    const pixels = [white, white, white, black, black, [250, 250, 250, 255]];
    const result = decodeIndexed(optimisePng(rgbaPng(3, pixels), 2));
    assert.strictEqual(result.depth, 1);
    assert.deepStrictEqual(result.pixels, [white, white, white, black, black, white].map((p) => p.slice(0, 3)));
  });
});
