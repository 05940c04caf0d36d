/**
 * The emulator's model catalog: the three default models, a few more image and video
 * models, speech and music models (see "Audio" below), and one LLM entry (the real list
 * mixes them). Pricing is one function that both `estimate` and `submit` use, so they
 * always agree.
 */

export interface EmulatedField {
	type: 'string' | 'integer' | 'number' | 'boolean' | 'array';
	required?: boolean;
	enum?: Array<string | number | boolean>;
	default?: unknown;
	minimum?: number;
	maximum?: number;
	max_items?: number;
	description?: string;
}

export interface EmulatedModel {
	slug: string;
	type: 'image' | 'video' | 'audio';
	name: string;
	description: string;
	capabilities: string[];
	/** Credits per image at 1k (image), per second at 720p (video), per audio unit (see AUDIO_UNIT). */
	creditsBase: number;
	multipliers: Record<string, Record<string, number>>;
	inputSchema: Record<string, EmulatedField>;
	/** Model-time seconds a generation runs, before time scaling. */
	runSeconds: number;
	/** `num_images` variants come back as one tiled image (as Clipia's docs say some models do). */
	tilesVariants?: boolean;
	/** What an audio model makes: speech of its `prompt`, or music `duration` seconds long. */
	audioKind?: AudioKind;
}

const IMAGE_ASPECTS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '21:9'];
const VIDEO_ASPECTS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'];

function imageSchema(withReferences: boolean): Record<string, EmulatedField> {
	return {
		prompt: { type: 'string', required: true, description: 'What to draw' },
		aspect_ratio: { type: 'string', enum: IMAGE_ASPECTS, default: '1:1' },
		resolution: { type: 'string', enum: ['1k', '2k', '4k'], default: '1k' },
		num_images: { type: 'integer', minimum: 1, maximum: 4, default: 1 },
		seed: { type: 'integer', minimum: 0, maximum: 2_147_483_647 },
		...(withReferences
			? { image_urls: { type: 'array', max_items: 4, description: 'Reference images' } as EmulatedField }
			: {}),
	};
}

function videoSchema(
	imageToVideo: boolean,
	durations: { minimum?: number; maximum?: number; enum?: number[] },
): Record<string, EmulatedField> {
	return {
		prompt: { type: 'string', required: true },
		...(imageToVideo
			? { image_url: { type: 'string', required: true, description: 'Start frame' } as EmulatedField }
			: {}),
		duration: { type: 'integer', default: 5, ...durations },
		aspect_ratio: { type: 'string', enum: VIDEO_ASPECTS, default: '16:9' },
		resolution: { type: 'string', enum: ['480p', '720p', '1080p'], default: '720p' },
		generate_audio: { type: 'boolean', default: false },
		seed: { type: 'integer', minimum: 0, maximum: 2_147_483_647 },
	};
}

const IMAGE_RES = { resolution: { '1k': 1, '2k': 1.5, '4k': 2.5 } };
const IMAGE_RES_UPPER = { resolution: { '1K': 1, '2K': 1.5 } };
const VIDEO_MULT = { resolution: { '480p': 0.6, '720p': 1, '1080p': 1.8 }, generate_audio: { true: 1.25, false: 1 } };

// ---- Audio -------------------------------------------------------------------------------
//
// Assumed: Clipia publishes that audio models exist (type audio, output.audio) but not their
// slugs, fields or pricing. Everything the emulator guesses about audio is in this section,
// to change in one place:
// - the models below: their slugs, input schemas (prompt, voice, speed, duration, seed) and run times;
// - pricing: speech per started 1,000 characters of `prompt`, music per started 10 seconds
//   of `duration` (AUDIO_UNIT, audioUnits, audioPricingNote);
// - the output: `output.audio = { url, duration }` (no original_url), an MP3 file
//   (AUDIO_FILE, audioOutput); `duration` in seconds: for speech the file's real length,
//   for music the asked `duration` (the file is within 12 ms of it).
// The sound itself is made by audio.ts; media-host.ts names and serves the files.

export type AudioKind = 'speech' | 'music';

export const AUDIO_FILE = { extension: 'mp3', contentType: 'audio/mpeg' } as const;

/** What one `creditsBase` buys. */
export const AUDIO_UNIT: Record<AudioKind, { size: number; per: string }> = {
	speech: { size: 1000, per: '1,000 characters' },
	music: { size: 10, per: '10 seconds' },
};

function speechSchema(voices: string[], speed: { minimum: number; maximum: number }): Record<string, EmulatedField> {
	return {
		prompt: { type: 'string', required: true, description: 'The words to speak' },
		voice: { type: 'string', enum: voices, default: voices[0] },
		speed: { type: 'number', ...speed, default: 1 },
	};
}

function musicSchema(duration: { minimum: number; maximum: number }): Record<string, EmulatedField> {
	return {
		prompt: { type: 'string', required: true, description: 'The music or sound to make' },
		duration: { type: 'integer', ...duration, default: 30, description: 'Seconds' },
		seed: { type: 'integer', minimum: 0, maximum: 2_147_483_647 },
	};
}

export const AUDIO_MODELS: EmulatedModel[] = [
	{
		slug: 'elevenlabs-v3',
		type: 'audio',
		audioKind: 'speech',
		name: 'ElevenLabs v3',
		description: 'Natural speech from text, many voices',
		capabilities: ['text-to-speech'],
		creditsBase: 2,
		multipliers: {},
		inputSchema: speechSchema(['Rachel', 'Adam', 'Bella', 'Josh'], { minimum: 0.7, maximum: 1.2 }),
		runSeconds: 6,
	},
	{
		slug: 'minimax-speech-2',
		type: 'audio',
		audioKind: 'speech',
		name: 'MiniMax Speech 2',
		description: 'Expressive speech from text',
		capabilities: ['text-to-speech'],
		creditsBase: 1,
		multipliers: {},
		inputSchema: speechSchema(['Wise_Woman', 'Deep_Voice_Man', 'Calm_Woman'], { minimum: 0.5, maximum: 2 }),
		runSeconds: 5,
	},
	{
		slug: 'stable-audio-2',
		type: 'audio',
		audioKind: 'music',
		name: 'Stable Audio 2',
		description: 'Music and sound effects from text',
		capabilities: ['text-to-music', 'text-to-audio'],
		creditsBase: 1,
		multipliers: {},
		inputSchema: musicSchema({ minimum: 1, maximum: 180 }),
		runSeconds: 20,
	},
	{
		slug: 'lyria-2',
		type: 'audio',
		audioKind: 'music',
		name: 'Lyria 2',
		description: 'Music from text',
		capabilities: ['text-to-music'],
		creditsBase: 2,
		multipliers: {},
		inputSchema: musicSchema({ minimum: 5, maximum: 60 }),
		runSeconds: 25,
	},
];

/** Units an audio submit is priced in: started 1,000 characters of speech, started 10 seconds of music. */
export function audioUnits(model: EmulatedModel, input: Record<string, unknown>): number {
	const kind = model.audioKind ?? 'music';
	const amount =
		kind === 'speech'
			? [...String(input.prompt ?? '')].length
			: Number(input.duration ?? model.inputSchema.duration?.default ?? AUDIO_UNIT.music.size);
	return Math.max(1, Math.ceil(amount / AUDIO_UNIT[kind].size));
}

/** `pricing.note` of an audio model, e.g. "2 credits per started 1,000 characters". */
export function audioPricingNote(model: EmulatedModel): string {
	const unit = AUDIO_UNIT[model.audioKind ?? 'music'];
	return `${model.creditsBase} credit${model.creditsBase === 1 ? '' : 's'} per started ${unit.per}`;
}

/** `output` of a finished audio job. */
export function audioOutput(url: string, duration: number): Record<string, unknown> {
	return { audio: { url, duration } };
}

// ------------------------------------------------------------------------------------------

export const MODELS: EmulatedModel[] = [
	{
		slug: 'nano-banana-2',
		type: 'image',
		name: 'Nano Banana 2',
		description: 'Fast, faithful text-to-image and image editing',
		capabilities: ['text-to-image', 'image-to-image'],
		creditsBase: 4,
		multipliers: IMAGE_RES,
		inputSchema: imageSchema(true),
		runSeconds: 8,
	},
	{
		slug: 'flux-2-pro',
		type: 'image',
		name: 'FLUX.2 Pro',
		description: 'Photorealistic text-to-image',
		capabilities: ['text-to-image'],
		creditsBase: 6,
		multipliers: IMAGE_RES,
		inputSchema: imageSchema(false),
		runSeconds: 12,
	},
	{
		slug: 'seedream-4',
		type: 'image',
		name: 'Seedream 4',
		description: 'Illustration and design, image editing',
		capabilities: ['text-to-image', 'image-to-image'],
		creditsBase: 5,
		multipliers: IMAGE_RES,
		inputSchema: imageSchema(true),
		runSeconds: 10,
	},
	{
		// Spells its sizes in capitals and tiles its variants into one image: what a client
		// must not assume about every model.
		slug: 'recraft-v4',
		type: 'image',
		name: 'Recraft V4',
		description: 'Design-grade images; several variants come back tiled in one image',
		capabilities: ['text-to-image'],
		creditsBase: 5,
		multipliers: IMAGE_RES_UPPER,
		inputSchema: {
			prompt: { type: 'string', required: true, description: 'What to draw' },
			aspect_ratio: { type: 'string', enum: ['1:1', '16:9', '9:16', '4:3', '3:4'], default: '1:1' },
			resolution: { type: 'string', enum: ['1K', '2K'], default: '1K' },
			num_images: { type: 'integer', minimum: 1, maximum: 4, default: 1 },
		},
		runSeconds: 10,
		tilesVariants: true,
	},
	{
		slug: 'seedance-2-fast-t2v',
		type: 'video',
		name: 'Seedance 2 Fast (text to video)',
		description: 'Quick text-to-video with optional audio',
		capabilities: ['text-to-video'],
		creditsBase: 8,
		multipliers: VIDEO_MULT,
		inputSchema: videoSchema(false, { minimum: 4, maximum: 15 }),
		runSeconds: 60,
	},
	{
		slug: 'seedance-2-fast-i2v',
		type: 'video',
		name: 'Seedance 2 Fast (image to video)',
		description: 'Animates a start frame',
		capabilities: ['image-to-video'],
		creditsBase: 8,
		multipliers: VIDEO_MULT,
		inputSchema: videoSchema(true, { minimum: 4, maximum: 15 }),
		runSeconds: 60,
	},
	{
		slug: 'kling-3-pro',
		type: 'video',
		name: 'Kling 3 Pro',
		description: 'Cinematic text- and image-to-video',
		capabilities: ['text-to-video', 'image-to-video'],
		creditsBase: 20,
		multipliers: VIDEO_MULT,
		inputSchema: { ...videoSchema(false, { enum: [5, 10] }), image_url: { type: 'string' } },
		runSeconds: 180,
	},
	...AUDIO_MODELS,
];

/** The LLM entry the real list also carries, in its OpenAI-like shape. */
export const LLM_ENTRY = {
	id: 'clipia/gpt-oss-120b',
	object: 'model',
	name: 'GPT-OSS 120B',
	context_length: 131072,
	pricing: { prompt: '0.0000002', completion: '0.0000008' },
};

export function findModel(slug: string): EmulatedModel | undefined {
	return MODELS.find((model) => model.slug === slug);
}

/** Credits for one submit of `input`. `estimate` and `submit` both call this. */
export function priceOf(model: EmulatedModel, input: Record<string, unknown>): number {
	const value = (field: string): unknown => input[field] ?? model.inputSchema[field]?.default;
	let factor = 1;
	for (const [field, table] of Object.entries(model.multipliers)) factor *= table[String(value(field))] ?? 1;
	let units = 1;
	if (model.type === 'image') units = Number(value('num_images') ?? 1);
	if (model.type === 'video') units = Number(value('duration') ?? 5);
	if (model.type === 'audio') units = audioUnits(model, input);
	return Math.ceil(model.creditsBase * units * factor);
}

/** Model-time seconds a generation of `input` runs: speech grows with its text, past 1,000 characters. */
export function runSecondsOf(model: EmulatedModel, input: Record<string, unknown>): number {
	if (model.audioKind !== 'speech') return model.runSeconds;
	return model.runSeconds * Math.max(1, [...String(input.prompt ?? '')].length / AUDIO_UNIT.speech.size);
}

export function publicModel(model: EmulatedModel): Record<string, unknown> {
	const note =
		model.type === 'image'
			? `${model.creditsBase} credits per image at 1k; 2k ×1.5, 4k ×2.5`
			: model.type === 'video'
				? `${model.creditsBase} credits per second at 720p; 480p ×0.6, 1080p ×1.8, audio ×1.25`
				: audioPricingNote(model);
	return {
		slug: model.slug,
		type: model.type,
		name: model.name,
		description: model.description,
		capabilities: model.capabilities,
		pricing: { credits: priceOf(model, {}), credits_base: model.creditsBase, multipliers: model.multipliers, note },
	};
}

/** Clipia fetches input media over https only; plain http stands for this emulator's own media on the loopback. */
function isMediaUrl(value: unknown): boolean {
	if (typeof value !== 'string') return false;
	try {
		const url = new URL(value);
		return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(url.hostname));
	} catch {
		return false;
	}
}

/** Checks input against the model's schema; returns the 422 message or undefined. */
export function inputProblem(model: EmulatedModel, input: Record<string, unknown>): string | undefined {
	for (const [field, spec] of Object.entries(model.inputSchema)) {
		const value = input[field];
		if (value === undefined || value === null) {
			if (spec.required) return `${field}: is required for ${model.slug}`;
			continue;
		}
		const typeOk =
			spec.type === 'array'
				? Array.isArray(value)
				: spec.type === 'integer'
					? Number.isInteger(value)
					: typeof value === (spec.type === 'number' ? 'number' : spec.type);
		if (!typeOk) return `${field}: must be ${spec.type === 'integer' ? 'an integer' : `a ${spec.type}`}`;
		if (spec.type === 'string' && spec.required && String(value).trim() === '') return `${field}: must not be empty`;
		if (spec.enum && !spec.enum.includes(value as string | number | boolean))
			return `${field}: must be one of ${spec.enum.join(', ')}`;
		if (spec.minimum !== undefined && (value as number) < spec.minimum)
			return `${field}: must be at least ${spec.minimum}`;
		if (spec.maximum !== undefined && (value as number) > spec.maximum)
			return `${field}: must be at most ${spec.maximum}`;
		if (spec.max_items !== undefined && (value as unknown[]).length > spec.max_items)
			return `${field}: at most ${spec.max_items} items`;
		if (spec.type === 'array' && !(value as unknown[]).every(isMediaUrl))
			return `${field}: must be a list of https image URLs`;
		if (spec.type === 'string' && field.endsWith('_url') && !isMediaUrl(value)) return `${field}: must be an https URL`;
	}
	for (const field of Object.keys(input)) {
		if (!(field in model.inputSchema)) return `${field}: is not an input of ${model.slug}`;
	}
	return undefined;
}
