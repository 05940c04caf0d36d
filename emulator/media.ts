/**
 * Real media bytes for the emulator: PNG and WebP images of the reported size, and playable
 * MP4 files of any size up to many GiB, streamed in chunks so nothing large sits in memory.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { crc32, deflateSync } from 'node:zlib';

const pngCache = new Map<string, Buffer>();

/**
 * A valid RGB PNG of `width`×`height` that reads as a generated picture: a diagonal gradient
 * (its colours vary with `seed`) with the prompt's words on it.
 */
export function png(width: number, height: number, seed = 0, text = ''): Buffer {
	const cacheKey = `${width}x${height}:${seed % 8}:${text}`;
	const cached = pngCache.get(cacheKey);
	if (cached) return cached;
	const rowLength = 1 + width * 3;
	const raw = Buffer.alloc(rowLength * height);
	const from = [(60 + seed * 37) % 256, (47 + seed * 11) % 256, (143 + seed * 53) % 256];
	const to = [(224 + seed * 29) % 256, (85 + seed * 41) % 256, (155 + seed * 17) % 256];
	for (let y = 0; y < height; y++) {
		const row = y * rowLength;
		raw[row] = 0; // filter: none
		for (let x = 0; x < width; x++) {
			const t = (x / width + y / height) / 2;
			const p = row + 1 + x * 3;
			for (let c = 0; c < 3; c++) raw[p + c] = Math.round(from[c] + (to[c] - from[c]) * t);
		}
	}
	drawText(raw, width, height, text);
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = 8; // bit depth
	header[9] = 2; // colour type: RGB
	const file = Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		pngChunk('IHDR', header),
		pngChunk('IDAT', deflateSync(raw, { level: 6 })),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
	if (pngCache.size > 32) pngCache.clear();
	pngCache.set(cacheKey, file);
	return file;
}

/** A 5×7 bitmap font: seven rows a glyph, five bits a row (most significant bit on the left). */
const FONT: Record<string, number[]> = {
	A: [14, 17, 17, 31, 17, 17, 17],
	B: [30, 17, 17, 30, 17, 17, 30],
	C: [14, 17, 16, 16, 16, 17, 14],
	D: [28, 18, 17, 17, 17, 18, 28],
	E: [31, 16, 16, 30, 16, 16, 31],
	F: [31, 16, 16, 30, 16, 16, 16],
	G: [14, 17, 16, 23, 17, 17, 15],
	H: [17, 17, 17, 31, 17, 17, 17],
	I: [14, 4, 4, 4, 4, 4, 14],
	J: [7, 2, 2, 2, 2, 18, 12],
	K: [17, 18, 20, 24, 20, 18, 17],
	L: [16, 16, 16, 16, 16, 16, 31],
	M: [17, 27, 21, 21, 17, 17, 17],
	N: [17, 17, 25, 21, 19, 17, 17],
	O: [14, 17, 17, 17, 17, 17, 14],
	P: [30, 17, 17, 30, 16, 16, 16],
	Q: [14, 17, 17, 17, 21, 18, 13],
	R: [30, 17, 17, 30, 20, 18, 17],
	S: [15, 16, 16, 14, 1, 1, 30],
	T: [31, 4, 4, 4, 4, 4, 4],
	U: [17, 17, 17, 17, 17, 17, 14],
	V: [17, 17, 17, 17, 17, 10, 4],
	W: [17, 17, 17, 21, 21, 21, 10],
	X: [17, 17, 10, 4, 10, 17, 17],
	Y: [17, 17, 17, 10, 4, 4, 4],
	Z: [31, 1, 2, 4, 8, 16, 31],
	'0': [14, 17, 19, 21, 25, 17, 14],
	'1': [4, 12, 4, 4, 4, 4, 14],
	'2': [14, 17, 1, 2, 4, 8, 31],
	'3': [31, 2, 4, 2, 1, 17, 14],
	'4': [2, 6, 10, 18, 31, 2, 2],
	'5': [31, 16, 30, 1, 1, 17, 14],
	'6': [6, 8, 16, 30, 17, 17, 14],
	'7': [31, 1, 2, 4, 8, 8, 8],
	'8': [14, 17, 17, 14, 17, 17, 14],
	'9': [14, 17, 17, 15, 1, 2, 12],
	'.': [0, 0, 0, 0, 0, 12, 12],
	',': [0, 0, 0, 0, 12, 4, 8],
	'!': [4, 4, 4, 4, 4, 0, 4],
	'?': [14, 17, 1, 2, 4, 0, 4],
	'-': [0, 0, 0, 31, 0, 0, 0],
	"'": [12, 4, 8, 0, 0, 0, 0],
	':': [0, 12, 12, 0, 12, 12, 0],
	' ': [0, 0, 0, 0, 0, 0, 0],
};

/** Writes `text` (upper-cased, word-wrapped, at most four lines) centred, white with a shadow. */
function drawText(raw: Buffer, width: number, height: number, text: string): void {
	const words = text
		.toUpperCase()
		.replace(/\[EMULATOR:[^\]]*\]/g, '')
		.split(/\s+/)
		.filter(Boolean);
	if (!words.length) return;
	const scale = Math.max(1, Math.floor(Math.min(width, height) / 100));
	const perLine = Math.max(4, Math.floor((width * 0.85) / (6 * scale)));
	const lines: string[] = [];
	for (const word of words) {
		const last = lines[lines.length - 1];
		if (last !== undefined && (last + ' ' + word).length <= perLine) lines[lines.length - 1] = `${last} ${word}`;
		else lines.push(word.slice(0, perLine));
	}
	if (lines.length > 4) lines.splice(4, lines.length - 4, `${lines[3].slice(0, perLine - 3)}...`);
	const rowLength = 1 + width * 3;
	const lineHeight = 10 * scale;
	const top = Math.floor((height - lines.length * lineHeight) / 2);
	const plot = (x: number, y: number, value: number) => {
		if (x < 0 || y < 0 || x >= width || y >= height) return;
		const p = y * rowLength + 1 + x * 3;
		raw[p] = raw[p + 1] = raw[p + 2] = value;
	};
	lines.forEach((line, n) => {
		const left = Math.floor((width - line.length * 6 * scale) / 2);
		[...line].forEach((char, k) => {
			const glyph = FONT[char] ?? FONT['?'];
			for (let gy = 0; gy < 7; gy++)
				for (let gx = 0; gx < 5; gx++) {
					if (!((glyph[gy] >> (4 - gx)) & 1)) continue;
					const x0 = left + (k * 6 + gx) * scale;
					const y0 = top + n * lineHeight + gy * scale;
					for (let dy = 0; dy < scale; dy++)
						for (let dx = 0; dx < scale; dx++) {
							const shadow = Math.max(1, Math.floor(scale / 2));
							plot(x0 + dx + shadow, y0 + dy + shadow, 30);
						}
				}
			for (let gy = 0; gy < 7; gy++)
				for (let gx = 0; gx < 5; gx++) {
					if (!((glyph[gy] >> (4 - gx)) & 1)) continue;
					for (let dy = 0; dy < scale; dy++)
						for (let dx = 0; dx < scale; dx++)
							plot(left + (k * 6 + gx) * scale + dx, top + n * lineHeight + gy * scale + dy, 255);
				}
		});
	});
}

function pngChunk(type: string, data: Buffer): Buffer {
	const out = Buffer.alloc(12 + data.length);
	out.writeUInt32BE(data.length, 0);
	out.write(type, 4, 'ascii');
	data.copy(out, 8);
	out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
	return out;
}

/**
 * A valid lossless WebP (VP8L) of one colour. Every prefix code is a "simple" code with a
 * single symbol, which costs zero bits per pixel, so any size is a few dozen bytes.
 */
export function webp(width: number, height: number, seed = 0): Buffer {
	const bits = new BitWriter();
	bits.write(0x2f, 8); // VP8L signature
	bits.write(width - 1, 14);
	bits.write(height - 1, 14);
	bits.write(0, 1); // alpha_is_used
	bits.write(0, 3); // version
	bits.write(0, 1); // no transform
	bits.write(0, 1); // no colour cache
	bits.write(0, 1); // no meta prefix codes
	const green = (90 + seed * 11) % 256;
	const red = (40 + seed * 37) % 256;
	const blue = (160 + seed * 53) % 256;
	for (const symbol of [green, red, blue, 255]) {
		bits.write(1, 1); // simple code
		bits.write(0, 1); // one symbol
		bits.write(1, 1); // 8-bit symbol
		bits.write(symbol, 8);
	}
	// Distance code: one symbol, 0, in 1 bit.
	bits.write(1, 1);
	bits.write(0, 1);
	bits.write(0, 1);
	bits.write(0, 1);
	const payload = bits.bytes();
	const padded = payload.length % 2 === 1 ? Buffer.concat([payload, Buffer.alloc(1)]) : payload;
	const out = Buffer.alloc(20 + padded.length);
	out.write('RIFF', 0, 'ascii');
	out.writeUInt32LE(12 + padded.length, 4);
	out.write('WEBP', 8, 'ascii');
	out.write('VP8L', 12, 'ascii');
	out.writeUInt32LE(payload.length, 16);
	padded.copy(out, 20);
	return out;
}

class BitWriter {
	private readonly out: number[] = [];
	private current = 0;
	private used = 0;

	/** Writes `count` bits of `value`, least significant first (VP8L order). */
	write(value: number, count: number): void {
		for (let i = 0; i < count; i++) {
			this.current |= ((value >>> i) & 1) << this.used;
			if (++this.used === 8) {
				this.out.push(this.current);
				this.current = 0;
				this.used = 0;
			}
		}
	}

	bytes(): Buffer {
		return Buffer.from(this.used ? [...this.out, this.current] : this.out);
	}
}

/**
 * A real, playable clip: 3 s of H.264 (Main profile, 480×270, 24 fps), moov before mdat so
 * players start at once. Made once with ffmpeg:
 *   ffmpeg -f lavfi -i "gradients=size=480x270:rate=24:duration=3:c0=0x3b2f8f:c1=0xe0559b:x0=0:y0=0:x1=480:y1=270"
 *     -vf "drawtext=text='Clipia emulator':…" -c:v libx264 -profile:v main -pix_fmt yuv420p -crf 32
 *     -movflags +faststart clip.mp4
 */
const CLIP = readFileSync(join(__dirname, 'fixtures', 'clip.mp4'));
const ZEROS = Buffer.alloc(64 * 1024);

/**
 * An MP4 of exactly `totalBytes` (at least the clip's size): the clip, then one `free` box
 * filling the rest, which players skip. Generated chunk by chunk as the reader pulls, so
 * memory stays flat for 1 GiB and more.
 */
export function mp4Stream(totalBytes: number): Readable {
	const padding = totalBytes - CLIP.length;
	async function* generate(): AsyncGenerator<Buffer> {
		yield CLIP;
		if (padding < 16) return; // too small for a box: the bare clip
		const free = Buffer.alloc(16);
		free.writeUInt32BE(1, 0); // size 1: a 64-bit size follows
		free.write('free', 4, 'ascii');
		free.writeBigUInt64BE(BigInt(padding), 8);
		yield free;
		let left = padding - free.length;
		while (left > 0) {
			const n = Math.min(left, ZEROS.length);
			yield n === ZEROS.length ? ZEROS : ZEROS.subarray(0, n);
			left -= n;
		}
	}
	return Readable.from(generate(), { objectMode: false });
}

/** The byte count mp4Stream(totalBytes) really sends. */
export const mp4Size = (totalBytes: number): number => (totalBytes - CLIP.length < 16 ? CLIP.length : totalBytes);
