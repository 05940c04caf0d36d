/** Media are what their first bytes say: the check behind previews and saved files. */

import { bytesAreClaimedType, sniffMediaType } from '../../core';

const bytes = (...parts: Array<string | number[]>) =>
	new Uint8Array(
		Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part)))),
	);

it('tells PNG, JPEG, WebP, GIF, MP4, MOV, WebM, MP3 and WAV from their first bytes, and nothing else', () => {
	expect(sniffMediaType(bytes([0x89], 'PNG\r\n\x1a\n', [0, 0, 0, 13]))).toBe('image/png');
	expect(sniffMediaType(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
	expect(sniffMediaType(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8L'))).toBe('image/webp');
	expect(sniffMediaType(bytes('GIF89a'))).toBe('image/gif');
	expect(sniffMediaType(bytes([0, 0, 0, 28], 'ftypisom'))).toBe('video/mp4');
	expect(sniffMediaType(bytes([0, 0, 0, 20], 'ftypqt  '))).toBe('video/quicktime');
	expect(sniffMediaType(bytes([0x1a, 0x45, 0xdf, 0xa3]))).toBe('video/webm');
	expect(sniffMediaType(bytes('ID3', [4, 0]))).toBe('audio/mpeg');
	expect(sniffMediaType(bytes([0xff, 0xfb, 0x90, 0x64]))).toBe('audio/mpeg');
	expect(sniffMediaType(bytes('RIFF', [0, 0, 0, 0], 'WAVEfmt '))).toBe('audio/wav');
	expect(sniffMediaType(bytes('<!doctype html><html>'))).toBeUndefined();
	expect(sniffMediaType(bytes('{"error":"x"}'))).toBeUndefined();
	expect(sniffMediaType(new Uint8Array())).toBeUndefined();
});

it('accepts the claimed type only when the bytes agree (MP4 and MOV share their container)', () => {
	const png = bytes([0x89], 'PNG\r\n\x1a\n');
	expect(bytesAreClaimedType('image/png', png)).toBe(true);
	expect(bytesAreClaimedType('image/webp', png)).toBe(false);
	expect(bytesAreClaimedType('image/png', bytes('<html>'))).toBe(false);
	expect(bytesAreClaimedType('video/quicktime', bytes([0, 0, 0, 28], 'ftypisom'))).toBe(true);
	expect(bytesAreClaimedType('video/mp4', bytes('ID3'))).toBe(false);
});
