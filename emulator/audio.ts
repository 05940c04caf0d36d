/**
 * Real, playable audio for the emulator's speech and music models: synthesized here and
 * encoded as MP3 (mono, 24 kHz, 48 kbps CBR, MPEG-2 Layer III) with lamejs. The same input
 * always gives the same bytes.
 *
 * Speech is a tiny formant synthesizer. Every vowel group of a word is a syllable (a word
 * without vowels gets one every three letters). A syllable is a glottal pulse train (a
 * Rosenberg pulse, differentiated as the lips do) at the voice's pitch, 100–225 Hz, with a
 * little vibrato, passed through three formant resonators in cascade whose frequencies
 * glide from the onset consonant's locus to the vowel (and across a diphthong), under an
 * attack/decay envelope. Onset consonants add a noise burst (a hiss for s, f, sh…, a click
 * for p, t, k…). Pitch falls over each sentence and at its end, or rises for a question;
 * stressed syllables are louder and a little higher. Words are ~2.5 a second at speed 1,
 * with short gaps between them and longer ones at punctuation.
 *
 * Music is a loop of four bars: a chord progression (I–V–vi–IV or a relative of it) of
 * soft additive tones, a plucked bass, a kick and a hi-hat, and from the second pass an
 * arpeggio; the prompt's hash picks the tempo (90–120 bpm), key, progression and patterns.
 * The loop repeats to the asked length, with a fade in and out.
 *
 * The length of the file is exact: with N samples (a multiple of 576), lamejs writes
 * N / 576 + 2 frames of 576 samples (its encoder delay and flush), 144 bytes each, and no
 * VBR tag, so `seconds` (the length every player shows) is known before encoding.
 * Encoding costs ~10 ms per second of sound, so the last 32 files are kept.
 */

import { readFileSync } from 'node:fs';
import { runInThisContext } from 'node:vm';

export interface Audio {
	bytes: Buffer;
	/** The file's length as players show it. */
	seconds: number;
}

export interface SpeechOptions {
	voice?: string;
	speed?: number;
}

/** Math's functions under local names: in a vm context (as under Jest) every global lookup is slow. */
const { PI, abs, ceil, cos, exp, floor, hypot, imul, max, min, round, sin } = Math;

const RATE = 24_000;
const KBPS = 48;
/** Samples per MPEG-2 Layer III frame. */
const FRAME = 576;
/** Frames lamejs writes beyond N / 576 for N samples: its encoder delay, then the flush. */
const EXTRA_FRAMES = 2;
const MAX_SPEECH_SECONDS = 120;
const MIN_SPEECH_SECONDS = 0.5;

/** Speech of `text` (stripped of anything that is not words or punctuation). */
export function speech(text: string, options: SpeechOptions = {}): Audio {
	const voice = options.voice ?? 'Rachel';
	const speed = clampSpeed(options.speed);
	return cached(`speech:${voice}:${speed}:${text}`, () => {
		const plan = planSpeech(text, voice, speed);
		return encode(renderSpeech(plan, hash(`${voice}:${text}`)));
	});
}

/** The length `speech(text, options)` has, without making it. */
export function speechSeconds(text: string, options: SpeechOptions = {}): number {
	return secondsOf(planSpeech(text, options.voice ?? 'Rachel', clampSpeed(options.speed)).samples);
}

/** A music loop for `prompt`, `seconds` long (1–180, to the nearest 24 ms frame). */
export function music(prompt: string, seconds: number): Audio {
	const samples = musicSamples(seconds);
	return cached(`music:${samples}:${prompt}`, () => encode(renderMusic(prompt, samples)));
}

function musicSamples(seconds: number): number {
	const clamped = min(180, max(1, Number.isFinite(seconds) ? seconds : 30));
	return (round((clamped * RATE) / FRAME) - EXTRA_FRAMES) * FRAME;
}

function secondsOf(samples: number): number {
	return round(((samples / FRAME + EXTRA_FRAMES) * FRAME * 1000) / RATE) / 1000;
}

function clampSpeed(speed: number | undefined): number {
	return min(4, max(0.25, typeof speed === 'number' && Number.isFinite(speed) ? speed : 1));
}

// ---- a small LRU cache, so repeated downloads don't re-encode ------------------------------

const cache = new Map<string, Audio>();
const CACHE_ENTRIES = 32;

function cached(key: string, make: () => Audio): Audio {
	const hit = cache.get(key);
	if (hit) {
		cache.delete(key);
		cache.set(key, hit);
		return hit;
	}
	const made = make();
	cache.set(key, made);
	if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
	return made;
}

// ---- speech --------------------------------------------------------------------------------

type Formants = [number, number, number];

interface Syllable {
	start: number;
	/** Samples of onset noise before the voiced part. */
	noise: number;
	noiseKind: 'hiss' | 'click' | 'none';
	end: number;
	/** Formants at the start (a consonant's locus), at the vowel's start, at its end. */
	formants: [Formants, Formants, Formants];
	f0From: number;
	f0To: number;
	amplitude: number;
}

interface SpeechPlan {
	syllables: Syllable[];
	samples: number;
	/** The voice's fixed fourth formant (Hz). */
	f4: number;
}

/** Male-voice vowel formants (Hz); higher voices scale them up. */
const VOWELS: Record<string, Formants> = {
	a: [730, 1090, 2440],
	e: [530, 1840, 2480],
	i: [390, 1990, 2550],
	o: [570, 840, 2410],
	u: [440, 1020, 2240],
	y: [390, 1990, 2550],
};
const SCHWA: Formants = [500, 1500, 2500];
/** Where formants start after a consonant (its place of articulation). */
const LOCI: Array<[RegExp, Formants]> = [
	[/[bpmfvw]$/, [300, 900, 2200]],
	[/[dtnszl]$/, [300, 1700, 2600]],
	[/[gkcqx]$/, [300, 2100, 2500]],
	[/r$/, [420, 1200, 1600]],
];
/** Pitch (Hz) of the voices the catalog names; any other voice gets one from its name. */
const VOICE_PITCH: Record<string, number> = {
	Rachel: 210,
	Bella: 225,
	Adam: 112,
	Josh: 128,
	Wise_Woman: 190,
	Deep_Voice_Man: 100,
	Calm_Woman: 175,
};

function planSpeech(text: string, voice: string, speed: number): SpeechPlan {
	const pitch = VOICE_PITCH[voice] ?? 110 + (hash(voice) % 110);
	const scale = pitch > 160 ? 1.15 : 1;
	const seconds = (s: number) => round((s * RATE) / speed);
	const tokens =
		text
			.normalize('NFD')
			.replace(/[\u0300-\u036f]/g, '')
			.toLowerCase()
			.match(/[\p{L}\p{N}']+|[.,;:!?]/gu) ?? [];

	// Sentences of words of syllables first: the pitch contour needs each sentence's length.
	interface Part {
		onset: string;
		vowels: string;
		stressed: boolean;
	}
	const sentences: Array<{ words: Part[][]; pauses: number[]; end: string }> = [];
	let sentence: (typeof sentences)[number] = { words: [], pauses: [], end: '.' };
	for (const token of tokens) {
		if (/^[.,;:!?]$/.test(token)) {
			if (!sentence.words.length) continue;
			if (/[.!?]/.test(token)) {
				sentence.end = token;
				sentences.push(sentence);
				sentence = { words: [], pauses: [], end: '.' };
			} else sentence.pauses[sentence.words.length - 1] = seconds(0.22);
			continue;
		}
		const parts: Part[] = [];
		const groups = [...token.matchAll(/[aeiouy]+/g)];
		// A silent final e ("voice", "made"), but not "-le" ("table").
		if (groups.length > 1 && /[^aeiouyl]e$/.test(token)) groups.pop();
		if (groups.length) {
			let from = 0;
			for (const group of groups) {
				const onset = token.slice(from, group.index).replace(/[^a-z]/g, '');
				parts.push({ onset: onset.slice(-3), vowels: group[0], stressed: false });
				from = group.index + group[0].length;
			}
		} else {
			// No Latin vowel (a number, another script): a syllable every three letters.
			for (let at = 0; at < token.length; at += 3) {
				const letters = token.slice(at, at + 3);
				parts.push({ onset: '', vowels: 'aeiou'[hash(letters) % 5], stressed: false });
			}
		}
		if (parts.length > 1 || token.length > 3) parts[0].stressed = true;
		sentence.words.push(parts);
	}
	if (sentence.words.length) sentences.push(sentence);

	const syllables: Syllable[] = [];
	const limit = MAX_SPEECH_SECONDS * RATE - seconds(0.6);
	let at = seconds(0.12);
	planning: for (const { words, pauses, end } of sentences) {
		const count = words.reduce((sum, parts) => sum + parts.length, 0);
		let k = 0;
		for (const [w, parts] of words.entries()) {
			for (const [p, part] of parts.entries()) {
				if (at > limit) break planning;
				const last = k === count - 1;
				// The consonant before the vowel (its letter before an h: th, sh, ch) sets the locus.
				const onset = part.onset.replace(/h$/, '') || part.onset;
				const hiss = /(s|f|z|x|c|sh|ch|th|j|v)$/.test(part.onset) && part.onset !== '';
				const click = !hiss && /[pbtdkgq]$/.test(onset);
				const noise = hiss ? seconds(0.06) : click ? seconds(0.02) : 0;
				const vowelLength = seconds(0.125 + 0.02 * min(3, part.onset.length) + (part.vowels.length > 1 ? 0.04 : 0));
				const length = round(vowelLength * (last ? 1.3 : 1));
				const first = VOWELS[part.vowels[0]] ?? SCHWA;
				const final =
					part.vowels.length > 1 ? (VOWELS[part.vowels[part.vowels.length - 1]] ?? SCHWA) : mix(first, SCHWA, 0.2);
				const locus = LOCI.find(([pattern]) => pattern.test(onset))?.[1] ?? first;
				// Declination over the sentence; the last syllable falls, or rises for a question.
				const along = count > 1 ? k / (count - 1) : 0;
				const f0 = pitch * (1.12 - 0.2 * along) * (part.stressed ? 1.06 : 1);
				const f0To = last ? (end === '?' ? f0 * 1.3 : f0 * 0.82) : f0 * 0.97;
				syllables.push({
					start: at,
					noise,
					noiseKind: hiss ? 'hiss' : click ? 'click' : 'none',
					end: at + noise + length,
					formants: [locus, first, final].map((f) => f.map((hz) => hz * scale) as Formants) as Syllable['formants'],
					f0From: f0,
					f0To,
					amplitude: part.stressed || parts.length === 1 ? 1 : 0.8,
				});
				at += noise + length;
				if (p === parts.length - 1) at += pauses[w] ?? seconds(0.05);
				k++;
			}
		}
		at += seconds(0.4) - seconds(0.05);
	}
	const samples = max(at + seconds(0.1), MIN_SPEECH_SECONDS * RATE - EXTRA_FRAMES * FRAME);
	return {
		syllables,
		samples: min(ceil(samples / FRAME), MAX_SPEECH_SECONDS * (RATE / FRAME) - EXTRA_FRAMES) * FRAME,
		f4: 3500 * scale,
	};
}

function renderSpeech(plan: SpeechPlan, seed: number): Float32Array {
	const out = new Float32Array(plan.samples);
	const random = mulberry32(seed);
	const cascade = [resonator(), resonator(), resonator()];
	const bandwidths = [90, 110, 170];
	// A fixed fourth formant, so the voice is not muffled.
	const fourth = resonator();
	fourth.tune(plan.f4, 250);
	const hissFilter = resonator();
	hissFilter.tune(5000, 3000, 5000);
	const clickFilter = resonator();
	clickFilter.tune(2200, 2000, 2200);
	let phase = 0;
	let flow = 0;
	let previous = 0;
	const current: Formants = [...SCHWA];
	for (const syllable of plan.syllables) {
		const voicedFrom = syllable.start + syllable.noise;
		const voiced = syllable.end - voicedFrom;
		const attack = min(voiced / 3, 0.03 * RATE);
		const release = min(voiced / 2, 0.07 * RATE);
		// Onset noise, straight to the output.
		for (let n = syllable.start; n < voicedFrom && n < out.length; n++) {
			const t = (n - syllable.start) / syllable.noise;
			const envelope = sin(PI * t) * (syllable.noiseKind === 'hiss' ? 0.6 : 0.7);
			const filter = syllable.noiseKind === 'hiss' ? hissFilter : clickFilter;
			out[n] += filter.step(random() - 0.5) * envelope;
		}
		// The voiced part: pulses through the formant cascade, a few ms of ringing after.
		const tail = min(out.length, syllable.end + round(0.01 * RATE));
		for (let n = voicedFrom; n < tail; n++) {
			const i = n - voicedFrom;
			const t = min(1, i / voiced);
			if (i % 16 === 0) {
				const target =
					t < 0.25
						? mix(syllable.formants[0], syllable.formants[1], t / 0.25)
						: mix(syllable.formants[1], syllable.formants[2], (t - 0.25) / 0.75);
				for (let f = 0; f < 3; f++) {
					current[f] += (target[f] - current[f]) * 0.35;
					cascade[f].tune(current[f], bandwidths[f]);
				}
			}
			const envelope =
				n >= syllable.end
					? 0
					: (i < attack ? 0.5 - 0.5 * cos((PI * i) / attack) : 1) *
						(syllable.end - n < release ? 0.5 - 0.5 * cos((PI * (syllable.end - n)) / release) : 1);
			const f0 =
				(syllable.f0From + (syllable.f0To - syllable.f0From) * t) * (1 + 0.012 * sin((2 * PI * 5.2 * n) / RATE));
			phase += f0 / RATE;
			if (phase >= 1) phase -= 1;
			const next =
				phase < 0.4 ? 0.5 - 0.5 * cos((PI * phase) / 0.4) : phase < 0.56 ? cos((PI * (phase - 0.4)) / 0.32) : 0;
			// The flow's slope (as radiated from the lips), a breath of noise on top.
			const source = ((next - flow) * RATE) / f0 / 8 + 0.02 * (random() - 0.5);
			flow = next;
			let sample = source * envelope * syllable.amplitude;
			for (const stage of cascade) sample = stage.step(sample);
			sample = fourth.step(sample);
			// +6 dB an octave, as the mouth opening radiates.
			out[n] += sample - 0.9 * previous;
			previous = sample;
		}
	}
	return finish(out);
}

// ---- music ---------------------------------------------------------------------------------

const PROGRESSIONS = [
	[0, 7, 9, 5], // I–V–vi–IV
	[9, 5, 0, 7], // vi–IV–I–V
	[0, 9, 5, 7], // I–vi–IV–V
	[0, 5, 9, 7], // I–IV–vi–V
];
const KEYS = [48, 50, 51, 53, 55, 45, 47]; // C, D, E♭, F, G, A, B (the octave below middle C)
const BASS_PATTERNS = [
	[0, 2, 2.5],
	[0, 1.5, 2, 3],
	[0, 2],
	[0, 0.75, 2, 2.75],
];

function renderMusic(prompt: string, samples: number): Float32Array {
	const seed = hash(prompt);
	const bpm = 90 + (seed % 31);
	const key = KEYS[(seed >>> 5) % KEYS.length];
	const progression = PROGRESSIONS[(seed >>> 8) % PROGRESSIONS.length];
	const bassPattern = BASS_PATTERNS[(seed >>> 10) % BASS_PATTERNS.length];
	const random = mulberry32(seed);
	const beat = (60 / bpm) * RATE;
	const loop = round(beat * 16);
	const harmony = new Float32Array(loop);
	const drums = new Float32Array(loop);
	const melody = new Float32Array(loop);
	const add = (layer: Float32Array, start: number, length: number, voice: (i: number) => number) => {
		for (let i = 0; i < length; i++) layer[(start + i) % loop] += voice(i);
	};
	const hz = (midi: number) => 440 * 2 ** ((midi - 69) / 12);
	const arpeggio = Array.from({ length: 8 }, () => floor(random() * 4));
	const rests = Array.from({ length: 8 }, () => random() < 0.25);

	progression.forEach((degree, bar) => {
		const root = key + degree;
		const triad = [0, [2, 4, 9].includes(degree) ? 3 : 4, 7].map((interval) => root + 12 + interval);
		const barStart = round(bar * 4 * beat);
		// Pads: three tones of four harmonics, a slow swell, a release into the next bar.
		const padLength = round(4.6 * beat);
		for (const note of triad) {
			const w = (2 * PI * hz(note)) / RATE;
			add(harmony, barStart, padLength, (i) => {
				const envelope = min(1, i / (0.3 * RATE)) * min(1, (padLength - i) / (0.6 * beat));
				const tone = sin(w * i) + 0.45 * sin(2 * w * i) + 0.2 * sin(3 * w * i) + 0.08 * sin(4 * w * i);
				return 0.07 * envelope * tone * (1 + 0.1 * sin((2 * PI * 4 * i) / RATE));
			});
		}
		// Bass: the root, plucked.
		const bassW = (2 * PI * hz(root - 12)) / RATE;
		for (const at of bassPattern) {
			add(harmony, barStart + round(at * beat), round(beat), (i) => {
				const envelope = min(1, i / 60) * exp(-i / (0.35 * RATE));
				return 0.22 * envelope * (sin(bassW * i) + 0.35 * sin(2 * bassW * i) + 0.1 * sin(3 * bassW * i));
			});
		}
		// Kick on 1 and 3, hi-hat on the eighths (the off-beats louder).
		for (const at of [0, 2]) {
			let phase = 0;
			add(drums, barStart + round(at * beat), round(0.35 * RATE), (i) => {
				phase += (2 * PI * (45 + 75 * exp(-i / (0.03 * RATE)))) / RATE;
				return 0.3 * exp(-i / (0.12 * RATE)) * sin(phase);
			});
		}
		for (let eighth = 0; eighth < 8; eighth++) {
			let previous = 0;
			add(drums, barStart + round((eighth * beat) / 2), round(0.06 * RATE), (i) => {
				const noise = random() - 0.5;
				const high = noise - previous;
				previous = noise;
				return (eighth % 2 ? 0.09 : 0.05) * exp(-i / (0.012 * RATE)) * high;
			});
		}
		// Arpeggio over the chord, an octave up (heard from the second pass).
		for (let eighth = 0; eighth < 8; eighth++) {
			if (rests[eighth]) continue;
			const note = [...triad, triad[0] + 12][arpeggio[eighth]] + 12;
			const w = (2 * PI * hz(note)) / RATE;
			add(melody, barStart + round((eighth * beat) / 2), round(beat), (i) => {
				const envelope = min(1, i / 40) * exp(-i / (0.22 * RATE));
				return 0.09 * envelope * (sin(w * i) + 0.3 * sin(2 * w * i));
			});
		}
	});

	const out = new Float32Array(samples);
	const fadeIn = min(1.5 * RATE, samples * 0.15);
	const fadeOut = min(3 * RATE, samples * 0.25);
	for (let n = 0; n < samples; n++) {
		const i = n % loop;
		const sample = harmony[i] + drums[i] + (n >= loop ? melody[i] : 0);
		out[n] = sample * min(1, n / fadeIn, (samples - n) / fadeOut);
	}
	return finish(out);
}

// ---- shared --------------------------------------------------------------------------------

/** Removes any DC offset and brings the peak to -3 dBFS. */
function finish(out: Float32Array): Float32Array {
	let x1 = 0;
	let y1 = 0;
	let peak = 0;
	for (let n = 0; n < out.length; n++) {
		const y = out[n] - x1 + 0.995 * y1;
		x1 = out[n];
		y1 = y;
		out[n] = y;
		peak = max(peak, abs(y));
	}
	if (peak > 0) for (let n = 0; n < out.length; n++) out[n] *= 0.7 / peak;
	return out;
}

/** A two-pole resonator (Klatt's). */
function resonator() {
	let a = 1;
	let b = 0;
	let c = 0;
	let y1 = 0;
	let y2 = 0;
	return {
		/** Unity gain at `unityAt` Hz (0 Hz unless given). */
		tune(frequency: number, bandwidth: number, unityAt = 0): void {
			c = -exp((-2 * PI * bandwidth) / RATE);
			b = 2 * exp((-PI * bandwidth) / RATE) * cos((2 * PI * frequency) / RATE);
			const w = (2 * PI * unityAt) / RATE;
			a = hypot(1 - b * cos(w) - c * cos(2 * w), b * sin(w) + c * sin(2 * w));
		},
		step(x: number): number {
			const y = a * x + b * y1 + c * y2;
			y2 = y1;
			y1 = y;
			return y;
		},
	};
}

function mix(from: Formants, to: Formants, t: number): Formants {
	return [0, 1, 2].map((f) => from[f] + (to[f] - from[f]) * min(1, max(0, t))) as Formants;
}

/** FNV-1a, 32 bits. */
function hash(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) h = imul(h ^ text.charCodeAt(i), 0x01000193);
	return h >>> 0;
}

/** A small seeded PRNG, so noise is the same every time. */
function mulberry32(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = imul(t ^ (t >>> 15), t | 1);
		t ^= t + imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

// ---- MP3 -----------------------------------------------------------------------------------

interface Mp3Encoder {
	encodeBuffer(samples: Int16Array): Int8Array;
	flush(): Int8Array;
}
type Lame = { Mp3Encoder: new (channels: number, sampleRate: number, kbps: number) => Mp3Encoder };
let lame: Lame | undefined;

/**
 * @breezystack/lamejs (lamejs with its `MPEGMode is not defined` bug fixed) ships an ES
 * module and a browser script (`var lamejs = …`) but no CommonJS build, so the script is
 * run here, in a function so that its `var` stays local.
 */
function loadLame(): Lame {
	if (!lame) {
		const file = require.resolve('@breezystack/lamejs');
		lame = runInThisContext(`(function () {\n${readFileSync(file, 'utf8')}\nreturn lamejs;\n})()`, {
			filename: file,
		}) as Lame;
	}
	return lame;
}

function encode(samples: Float32Array): Audio {
	const pcm = new Int16Array(samples.length);
	for (let n = 0; n < samples.length; n++) pcm[n] = max(-32767, min(32767, round(samples[n] * 32767)));
	const encoder = new (loadLame().Mp3Encoder)(1, RATE, KBPS);
	const parts: Buffer[] = [];
	const copy = (chunk: Int8Array) => Buffer.from(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
	for (let n = 0; n < pcm.length; n += FRAME * 20)
		parts.push(copy(encoder.encodeBuffer(pcm.subarray(n, n + FRAME * 20))));
	parts.push(copy(encoder.flush()));
	return { bytes: Buffer.concat(parts), seconds: secondsOf(samples.length) };
}
