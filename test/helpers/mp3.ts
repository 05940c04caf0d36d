/**
 * Reads an MP3 file's real length by walking its frames: MPEG-1, 2 and 2.5 Layer III frame
 * headers (bitrate and sample-rate tables), an ID3v2 tag at the start and an ID3v1 tag at
 * the end skipped, a Xing/Info (VBR) header frame not counted as sound. Anything else in
 * the file, or a frame cut short, is an error: the bytes are not a clean MP3.
 */

export interface Mp3Info {
	/** Frames of sound (a Xing/Info header frame is not one). */
	frames: number;
	/** Sound length in seconds: the sum of samples per frame over the sample rate. */
	seconds: number;
	sampleRate: number;
	/** 1 (mono) or 2. */
	channels: number;
	/** Bitrates seen, in kbps (one for constant-bitrate files). */
	bitrates: number[];
	version: '1' | '2' | '2.5';
}

/** kbps by bitrate index: MPEG-1 Layer III, then MPEG-2/2.5 Layer III. */
const BITRATES = {
	v1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
	v2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
/** Hz by sample-rate index, per version bits (0: 2.5, 2: 2, 3: 1). */
const SAMPLE_RATES: Record<number, number[]> = {
	0: [11025, 12000, 8000],
	2: [22050, 24000, 16000],
	3: [44100, 48000, 32000],
};

export function mp3Info(bytes: Uint8Array): Mp3Info {
	let at = 0;
	if (bytes.length >= 10 && bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) {
		// ID3v2: a 10-byte header, then a size in four 7-bit bytes (plus a 10-byte footer if flagged).
		const size = (bytes[6] << 21) | (bytes[7] << 14) | (bytes[8] << 7) | bytes[9];
		at = 10 + size + (bytes[5] & 0x10 ? 10 : 0);
	}
	let frames = 0;
	let samples = 0;
	let sampleRate = 0;
	let channels = 0;
	let version: Mp3Info['version'] = '1';
	const bitrates = new Set<number>();
	let first = true;
	while (at < bytes.length) {
		if (bytes.length - at === 128 && bytes[at] === 0x54 && bytes[at + 1] === 0x41 && bytes[at + 2] === 0x47) break; // ID3v1 "TAG"
		if (bytes.length - at < 4) throw new Error(`MP3: ${bytes.length - at} stray bytes at the end (offset ${at})`);
		const [b0, b1, b2, b3] = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
		if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) throw new Error(`MP3: no frame sync at offset ${at}`);
		const versionBits = (b1 >> 3) & 3;
		const layerBits = (b1 >> 1) & 3;
		const bitrateIndex = b2 >> 4;
		const rateIndex = (b2 >> 2) & 3;
		if (versionBits === 1 || layerBits !== 1 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3)
			throw new Error(`MP3: not a Layer III frame header at offset ${at}`);
		const mpeg1 = versionBits === 3;
		const kbps = (mpeg1 ? BITRATES.v1 : BITRATES.v2)[bitrateIndex];
		const rate = SAMPLE_RATES[versionBits][rateIndex];
		const perFrame = mpeg1 ? 1152 : 576;
		const length = Math.floor(((perFrame / 8) * kbps * 1000) / rate) + ((b2 >> 1) & 1);
		if (at + length > bytes.length) throw new Error(`MP3: the frame at offset ${at} is cut short`);
		const mono = b3 >> 6 === 3;
		// A Xing/Info tag sits right after the side information of the first frame.
		const sideInfo = mpeg1 ? (mono ? 17 : 32) : mono ? 9 : 17;
		const tagAt = at + 4 + (b1 & 1 ? 0 : 2) + sideInfo;
		const tag = String.fromCharCode(...bytes.subarray(tagAt, tagAt + 4));
		if (!(first && (tag === 'Xing' || tag === 'Info'))) {
			frames++;
			samples += perFrame;
			sampleRate = rate;
			channels = mono ? 1 : 2;
			version = mpeg1 ? '1' : versionBits === 2 ? '2' : '2.5';
			bitrates.add(kbps);
		}
		first = false;
		at += length;
	}
	if (!frames) throw new Error('MP3: no frames');
	return { frames, seconds: samples / sampleRate, sampleRate, channels, bitrates: [...bitrates], version };
}

/** The real length of an MP3 file in seconds (throws when the bytes are not a clean MP3). */
export function mp3Seconds(bytes: Uint8Array): number {
	return mp3Info(bytes).seconds;
}
