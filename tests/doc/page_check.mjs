// page_check.mjs — checks for the permission page rendered by headless
// Chromium, for tests/doc/doc_test.sh. Node 20, no packages.
//
//   node page_check.mjs cell DOM SUBJECT TARGET KIND   the matrix cell exists with that kind
//   node page_check.mjs count DOM REGEX N              REGEX matches exactly N times in DOM
//   node page_check.mjs nonblank PNG                   the screenshot has real content
// Exit 0 when the check holds, 1 (with a message) when it does not.
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

const [command, ...args] = process.argv.slice(2);

function fail(message) {
  console.error(`page_check: ${message}`);
  process.exit(1);
}

function escapeAttribute(text) {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeRegex(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

if (command === 'cell') {
  const [domPath, subject, target, kind] = args;
  const dom = readFileSync(domPath, 'utf8');
  const pattern = new RegExp(
    `<td class="cell [a-z-]+" data-subject="${escapeRegex(escapeAttribute(subject))}" ` +
      `data-target="${escapeRegex(escapeAttribute(target))}" data-kind="([a-z-]+)">`, 'g');
  const kinds = [...dom.matchAll(pattern)].map((m) => m[1]);
  if (kinds.length !== 1) fail(`cell ${subject} x ${target}: found ${kinds.length} cells, expected 1`);
  if (kinds[0] !== kind) fail(`cell ${subject} x ${target}: kind ${kinds[0]}, expected ${kind}`);
} else if (command === 'count') {
  const [domPath, regex, expected] = args;
  const dom = readFileSync(domPath, 'utf8');
  const found = [...dom.matchAll(new RegExp(regex, 'g'))].length;
  if (found !== Number(expected)) fail(`/${regex}/ matched ${found} times, expected ${expected}`);
} else if (command === 'nonblank') {
  // Decode the PNG (8-bit RGB or RGBA, non-interlaced: what Chromium writes)
  // and require many distinct colours and a good share of non-background pixels.
  const png = readFileSync(args[0]);
  if (png.readUInt32BE(0) !== 0x89504e47) fail('not a PNG');
  let offset = 8, width = 0, height = 0, colourType = 0, bitDepth = 0, interlace = 0;
  const idat = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      bitDepth = data[8]; colourType = data[9]; interlace = data[12];
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    offset += 12 + length;
  }
  if (bitDepth !== 8 || (colourType !== 2 && colourType !== 6) || interlace !== 0) {
    fail(`unsupported PNG (depth ${bitDepth}, colour type ${colourType}, interlace ${interlace})`);
  }
  const channels = colourType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; ++y) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; ++x) {
      const value = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      let predicted = 0;
      if (filter === 1) predicted = a;
      else if (filter === 2) predicted = b;
      else if (filter === 3) predicted = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pixels[y * stride + x] = (value + predicted) & 0xff;
    }
  }
  const colours = new Map();
  for (let i = 0; i < pixels.length; i += channels) {
    const key = (pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2];
    colours.set(key, (colours.get(key) || 0) + 1);
  }
  const total = width * height;
  const background = Math.max(...colours.values());
  const share = 1 - background / total;
  console.log(`page_check: ${width}x${height}, ${colours.size} colours, ${(share * 100).toFixed(1)}% not background`);
  if (colours.size < 50) fail(`only ${colours.size} distinct colours: the page looks blank`);
  if (share < 0.2) fail(`only ${(share * 100).toFixed(1)}% of the pixels differ from the background`);
} else {
  fail(`unknown command \`${command}\``);
}
