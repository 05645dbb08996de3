import * as zlib from 'zlib';

/**
 * A screenshot made small enough for the Marketplace package: decoded (8-bit RGB or RGBA, not
 * interlaced, as Chromium writes it), reduced to a palette of its most frequent colours (16 keep text sharp) (a
 * summary is text on white: the rest are anti-aliasing shades, mapped to the nearest kept colour)
 * and written as an indexed PNG at the highest compression.
 */
export function optimisePng(png: Buffer, colours = 8): Buffer {
  const image = decodePng(png);
  return encodeIndexed(image.width, image.height, quantise(image, colours));
}

interface RgbImage {
  width: number;
  height: number;
  /** 3 bytes a pixel */
  rgb: Buffer;
}

export const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

function decodePng(png: Buffer): RgbImage {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      channels = colour === 6 ? 4 : colour === 2 ? 3 : 0;
      if (depth !== 8 || !channels || interlace !== 0) throw new Error(`unsupported PNG (depth ${depth}, colour type ${colour}, interlace ${interlace})`);
    } else if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[y * stride + x - channels]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels]! : 0;
      pixels[y * stride + x] = (line[x]! + unfilter(filter, a, b, c)) & 0xff;
    }
  }
  const rgb = Buffer.alloc(width * height * 3);
  for (let i = 0, j = 0; i < pixels.length; i += channels, j += 3) pixels.copy(rgb, j, i, i + 3);
  return { width, height, rgb };
}

function unfilter(filter: number, a: number, b: number, c: number): number {
  switch (filter) {
    case 0:
      return 0;
    case 1:
      return a;
    case 2:
      return b;
    case 3:
      return (a + b) >> 1;
    case 4: {
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    default:
      throw new Error(`unknown PNG filter ${filter}`);
  }
}

function quantise(image: RgbImage, colours: number): { palette: number[]; indices: Buffer } {
  const counts = new Map<number, number>();
  const colourAt = (i: number): number => (image.rgb[i]! << 16) | (image.rgb[i + 1]! << 8) | image.rgb[i + 2]!;
  for (let i = 0; i < image.rgb.length; i += 3) counts.set(colourAt(i), (counts.get(colourAt(i)) ?? 0) + 1);
  const palette = [...counts.entries()].sort((x, y) => y[1] - x[1]).slice(0, colours).map(([colour]) => colour);
  const index = new Map(palette.map((colour, i) => [colour, i]));
  const nearest = (colour: number): number => {
    let best = 0;
    let bestDistance = Infinity;
    palette.forEach((p, i) => {
      const d = ((p >> 16) - (colour >> 16)) ** 2 + (((p >> 8) & 255) - ((colour >> 8) & 255)) ** 2 + ((p & 255) - (colour & 255)) ** 2;
      if (d < bestDistance) [best, bestDistance] = [i, d];
    });
    index.set(colour, best);
    return best;
  };
  const indices = Buffer.alloc(image.width * image.height);
  for (let i = 0, j = 0; i < image.rgb.length; i += 3, j++) indices[j] = index.get(colourAt(i)) ?? nearest(colourAt(i));
  return { palette, indices };
}

/** One PNG chunk: length, type, body and CRC. */
export function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0);
  return Buffer.concat([head, body, crc]);
}

function encodeIndexed(width: number, height: number, { palette, indices }: { palette: number[]; indices: Buffer }): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  const depth = palette.length <= 2 ? 1 : palette.length <= 4 ? 2 : palette.length <= 16 ? 4 : 8;
  header[8] = depth;
  header[9] = 3; // indexed colour
  const plte = Buffer.alloc(palette.length * 3);
  palette.forEach((colour, i) => plte.writeUIntBE(colour, i * 3, 3));
  const perByte = 8 / depth;
  const stride = Math.ceil(width / perByte);
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = y * (stride + 1) + 1 + Math.floor(x / perByte);
      raw[at] = raw[at]! | (indices[y * width + x]! << (8 - depth * ((x % perByte) + 1)));
    }
  }
  const idat = zlib.deflateSync(raw, { level: 9, memLevel: 9 });
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('PLTE', plte), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}
