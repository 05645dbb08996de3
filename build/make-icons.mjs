// Draws the extension icon (images/extension-icon.png, 128x128) and one icon per task
// (tasks/<Task>V<n>/icon.png, 32x32) as flat PNGs. No image library: shapes are signed distance
// functions sampled 4x4 per pixel, and the PNG is written with node:zlib and a CRC-32 table.
// The output is deterministic; run `node build/make-icons.mjs` after changing a design and commit
// the PNGs.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ---- PNG encoding ---------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** Encodes RGBA pixels (Uint8Array, width*height*4) as a PNG (8-bit RGBA, no interlace). */
export function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  header[10] = 0; // deflate
  header[11] = 0; // adaptive filtering
  header[12] = 0; // no interlace
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * stride, stride).copy(raw, y * (stride + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- Shapes (unit square coordinates, y down; negative distance = inside) ---------------------

const roundedSquare = (inset, radius) => (x, y) => {
  const half = 0.5 - inset;
  const qx = Math.abs(x - 0.5) - half + radius;
  const qy = Math.abs(y - 0.5) - half + radius;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
};
const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r;
const ring = (cx, cy, r, width) => (x, y) => Math.abs(Math.hypot(x - cx, y - cy) - r) - width / 2;
/** A line segment with round caps. */
const capsule = (ax, ay, bx, by, width) => (x, y) => {
  const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - t * dx, py - t * dy) - width / 2;
};
const union = (...shapes) => (x, y) => Math.min(...shapes.map((s) => s(x, y)));
const subtract = (a, b) => (x, y) => Math.max(a(x, y), -b(x, y));

// ---- Designs ----------------------------------------------------------------------------------

const WHITE = [255, 255, 255];
const BACKGROUND = roundedSquare(0.03, 0.2);

/** Flow: a parent step calling two child steps, the product's theme. */
const flowGlyph = union(
  capsule(0.5, 0.28, 0.5, 0.5, 0.07),
  capsule(0.5, 0.5, 0.29, 0.72, 0.07),
  capsule(0.5, 0.5, 0.71, 0.72, 0.07),
  circle(0.5, 0.28, 0.1),
  circle(0.29, 0.72, 0.1),
  circle(0.71, 0.72, 0.1),
);

/** Settings: three sliders with their knobs at different positions. */
const settingsGlyph = union(
  capsule(0.24, 0.3, 0.76, 0.3, 0.07),
  capsule(0.24, 0.5, 0.76, 0.5, 0.07),
  capsule(0.24, 0.7, 0.76, 0.7, 0.07),
  circle(0.38, 0.3, 0.09),
  circle(0.64, 0.5, 0.09),
  circle(0.44, 0.7, 0.09),
);

/** Bind: two linked rings. */
const bindGlyph = union(ring(0.39, 0.5, 0.17, 0.08), ring(0.61, 0.5, 0.17, 0.08));

/** Turn on: a power symbol. */
const powerGlyph = union(
  subtract(ring(0.5, 0.54, 0.23, 0.09), (x, y) => {
    // open the ring at the top with a wedge
    const dx = Math.abs(x - 0.5);
    return y < 0.54 ? dx - (0.54 - y) * 0.55 : 1;
  }),
  capsule(0.5, 0.22, 0.5, 0.48, 0.09),
);

/** Save states: an arrow down into a tray. */
const saveGlyph = union(
  capsule(0.5, 0.22, 0.5, 0.58, 0.09),
  capsule(0.5, 0.6, 0.34, 0.44, 0.09),
  capsule(0.5, 0.6, 0.66, 0.44, 0.09),
  capsule(0.24, 0.6, 0.24, 0.76, 0.08),
  capsule(0.24, 0.76, 0.76, 0.76, 0.08),
  capsule(0.76, 0.76, 0.76, 0.6, 0.08),
);

/** Check connections: a tick in a ring. */
const checkGlyph = union(
  ring(0.5, 0.5, 0.3, 0.07),
  capsule(0.36, 0.52, 0.46, 0.62, 0.07),
  capsule(0.46, 0.62, 0.65, 0.4, 0.07),
);

const designs = [
  { file: 'images/extension-icon.png', size: 128, colour: [0x1f, 0x4f, 0xc8], glyph: flowGlyph },
  { file: 'tasks/DataverseDeploymentSettingsV1/icon.png', size: 32, colour: [0x74, 0x27, 0x74], glyph: settingsGlyph },
  { file: 'tasks/DataverseBindConnectionReferencesV1/icon.png', size: 32, colour: [0x0b, 0x6a, 0x76], glyph: bindGlyph },
  { file: 'tasks/DataverseActivateFlowsV1/icon.png', size: 32, colour: [0x1f, 0x4f, 0xc8], glyph: powerGlyph },
  { file: 'tasks/DataverseSaveFlowStatesV1/icon.png', size: 32, colour: [0x10, 0x6e, 0x3c], glyph: saveGlyph },
  { file: 'tasks/DataverseCheckConnectionsV1/icon.png', size: 32, colour: [0x8a, 0x4b, 0x08], glyph: checkGlyph },
];

const SAMPLES = 4;

/** Renders a flat icon: a rounded square in `colour` with a white glyph. */
export function render(size, colour, glyph) {
  const rgba = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bg = 0, fg = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = (px + (sx + 0.5) / SAMPLES) / size;
          const y = (py + (sy + 0.5) / SAMPLES) / size;
          if (BACKGROUND(x, y) <= 0) {
            bg++;
            if (glyph(x, y) <= 0) fg++;
          }
        }
      }
      const n = SAMPLES * SAMPLES;
      const alpha = bg / n;
      const white = bg ? fg / bg : 0;
      const o = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) rgba[o + c] = Math.round(colour[c] * (1 - white) + WHITE[c] * white);
      rgba[o + 3] = Math.round(alpha * 255);
    }
  }
  return rgba;
}

for (const { file, size, colour, glyph } of designs) {
  const target = path.join(repoRoot, file);
  if (!fs.existsSync(path.dirname(target))) {
    console.log(`skipped ${file}: folder does not exist`);
    continue;
  }
  const png = encodePng(size, size, render(size, colour, glyph));
  fs.writeFileSync(target, png);
  console.log(`wrote ${file} (${size}x${size}, ${png.length} bytes)`);
}
