/**
 * The emulator's model catalog: the three default models, a few more image, video and
 * audio models, and one LLM entry (the real list mixes them). Pricing is one function
 * that both `estimate` and `submit` use, so they always agree.
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
	/** Credits per image at 1k (image), per second at 720p (video), per clip (audio). */
	creditsBase: number;
	multipliers: Record<string, Record<string, number>>;
	inputSchema: Record<string, EmulatedField>;
	/** Model-time seconds a generation runs, before time scaling. */
	runSeconds: number;
	/** `num_images` variants come back as one tiled image (as Clipia's docs say some models do). */
	tilesVariants?: boolean;
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
	{
		slug: 'stable-audio-2',
		type: 'audio',
		name: 'Stable Audio 2',
		description: 'Music and sound effects from text',
		capabilities: ['text-to-audio'],
		creditsBase: 3,
		multipliers: {},
		inputSchema: {
			prompt: { type: 'string', required: true },
			duration: { type: 'integer', minimum: 1, maximum: 180, default: 30 },
		},
		runSeconds: 20,
	},
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
	return Math.ceil(model.creditsBase * units * factor);
}

export function publicModel(model: EmulatedModel): Record<string, unknown> {
	const note =
		model.type === 'image'
			? `${model.creditsBase} credits per image at 1k; 2k ×1.5, 4k ×2.5`
			: model.type === 'video'
				? `${model.creditsBase} credits per second at 720p; 480p ×0.6, 1080p ×1.8, audio ×1.25`
				: `${model.creditsBase} credits per clip`;
	return {
		slug: model.slug,
		type: model.type,
		name: model.name,
		description: model.description,
		capabilities: model.capabilities,
		pricing: { credits: priceOf(model, {}), credits_base: model.creditsBase, multipliers: model.multipliers, note },
	};
}

/** Checks input against the model's schema; returns the 422 message or undefined. */
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
