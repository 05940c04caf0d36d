/**
 * Real media bytes for the emulator: PNG and WebP images of the reported size, and MP4
 * files of any size up to many GiB, streamed in chunks so nothing large sits in memory.
 */

import { Readable } from 'node:stream';
import { crc32, deflateSync } from 'node:zlib';

const pngCache = new Map<string, Buffer>();

/** A valid RGB PNG of `width`×`height`: horizontal colour bands that vary with `seed`. */
export function png(width: number, height: number, seed = 0): Buffer {
	const cacheKey = `${width}x${height}:${seed % 8}`;
	const cached = pngCache.get(cacheKey);
	if (cached) return cached;
	const rowLength = 1 + width * 3;
	const raw = Buffer.alloc(rowLength * height);
	for (let y = 0; y < height; y++) {
		const band = Math.floor((y * 8) / height);
		const r = (40 + band * 25 + seed * 37) % 256;
		const g = (90 + band * 17 + seed * 11) % 256;
		const b = (160 + band * 9 + seed * 53) % 256;
		const row = y * rowLength;
		raw[row] = 0; // filter: none
		for (let x = 0; x < width; x++) {
			const p = row + 1 + x * 3;
			raw[p] = r;
			raw[p + 1] = g;
			raw[p + 2] = b;
		}
	}
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

const MP4_FTYP = (() => {
	const box = Buffer.alloc(28);
	box.writeUInt32BE(28, 0);
	box.write('ftypisom', 4, 'ascii');
	box.writeUInt32BE(0x200, 12);
	box.write('isomiso2mp41', 16, 'ascii');
	return box;
})();

const CHUNK = Buffer.alloc(64 * 1024, 0x5a);

/**
 * An MP4 of exactly `totalBytes`: an `ftyp` box, then one `mdat` box filling the rest,
 * generated chunk by chunk as the reader pulls (memory stays flat for 1 GiB and more).
 */
export function mp4Stream(totalBytes: number): Readable {
	const headerSize = MP4_FTYP.length + 16;
	const size = Math.max(totalBytes, headerSize);
	const mdat = Buffer.alloc(16);
	mdat.writeUInt32BE(1, 0); // size 1: a 64-bit size follows
	mdat.write('mdat', 4, 'ascii');
	mdat.writeBigUInt64BE(BigInt(size - MP4_FTYP.length), 8);
	async function* generate(): AsyncGenerator<Buffer> {
		yield Buffer.concat([MP4_FTYP, mdat]);
		let left = size - headerSize;
		while (left > 0) {
			const n = Math.min(left, CHUNK.length);
			yield n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n);
			left -= n;
		}
	}
	return Readable.from(generate(), { objectMode: false });
}

/** A small valid-looking audio file (an MP3 frame header repeated). */
export function mp3(bytes = 16 * 1024): Buffer {
	const out = Buffer.alloc(bytes, 0);
	for (let i = 0; i + 4 <= bytes; i += 417) out.writeUInt32BE(0xfffb9064, i);
	return out;
}
