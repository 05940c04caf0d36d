/**
 * Each generation's fields, described once. The n8n parameters, the MCP tool arguments,
 * the parameter types and validation all come from these tables, so the two surfaces
 * cannot drift apart (a test holds them side by side).
 *
 * One rule for defaults: a field left out (in n8n: left at "Automatic") is not sent, and
 * the model's own default applies. `usual` only tells people what that usually is.
 */

export type FieldType = 'string' | 'integer' | 'boolean' | 'enum' | 'url' | 'urlList' | 'json';

/** Where a field's value goes in the submit. */
export type FieldTarget =
	/** A model input field, under `input`. */
	| 'input'
	/** The model slug, in the path. */
	| 'model'
	/** More model input, merged over the named fields as given. */
	| 'extraInput'
	/** `webhook_url`, beside `input`. */
	| 'webhook';

export type Surface = 'n8n' | 'mcp';

export interface FieldSpec {
	/** The API's (and MCP's) snake_case name. */
	key: string;
	/** The n8n parameter's camelCase name. */
	n8nName: string;
	displayName: string;
	type: FieldType;
	description: string;
	target: FieldTarget;
	required?: boolean;
	/** What the model usually uses when the field is left out. Said to people, never sent. */
	usual?: string | number | boolean;
	options?: readonly string[];
	min?: number;
	max?: number;
	/** urlList only. */
	maxItems?: number;
	/** The surfaces that offer the field (default: both). */
	surfaces?: readonly Surface[];
	/** n8n: an entry of the node's Options collection rather than a parameter of its own. */
	n8nOption?: boolean;
}

export const DEFAULT_IMAGE_MODEL = 'nano-banana-2';
export const DEFAULT_TEXT_TO_VIDEO_MODEL = 'seedance-2-fast-t2v';
export const DEFAULT_IMAGE_TO_VIDEO_MODEL = 'seedance-2-fast-i2v';
/**
 * Audio, assumed: Clipia publishes that audio models exist (type `audio`, results under
 * `output.audio`) but not their slugs or fields. These two defaults and the audio fields
 * below are the guesses; the model list and each model's input schema are the truth.
 */
export const DEFAULT_SPEECH_MODEL = 'elevenlabs-v3';
export const DEFAULT_MUSIC_MODEL = 'stable-audio-2';
export const AUDIO_DURATION_RANGE = { min: 1, max: 300 } as const;

export const IMAGE_ASPECT_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '21:9'] as const;
export const VIDEO_ASPECT_RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'] as const;
export const IMAGE_RESOLUTIONS = ['1k', '2k', '4k'] as const;
export const VIDEO_RESOLUTIONS = ['480p', '720p', '1080p'] as const;
export const MAX_REFERENCE_IMAGES = 4;
export const VIDEO_DURATION_RANGE = { min: 2, max: 15 } as const;

const prompt = (description: string) =>
	({
		key: 'prompt',
		n8nName: 'prompt',
		displayName: 'Prompt',
		type: 'string',
		target: 'input',
		required: true,
		description,
	}) as const;

const extraInput = {
	key: 'extra_input',
	n8nName: 'extraInput',
	displayName: 'Extra Input (JSON)',
	type: 'json',
	target: 'extraInput',
	n8nOption: true,
	description:
		'More model input fields, sent as given over the named ones, e.g. {"seed": 42}; the model\'s input schema lists them',
} as const;

const webhookUrl = {
	key: 'webhook_url',
	n8nName: 'webhookUrl',
	displayName: 'Webhook URL',
	type: 'url',
	target: 'webhook',
	n8nOption: true,
	// A chat has nowhere to receive it, and a model should not be handed a way to post elsewhere.
	surfaces: ['n8n'],
	description: 'Clipia also POSTs the outcome to this https URL when the generation ends',
} as const;

export const IMAGE_FIELDS = [
	prompt('What the image should show, in plain words'),
	{
		key: 'model',
		n8nName: 'model',
		displayName: 'Model',
		type: 'string',
		target: 'model',
		usual: DEFAULT_IMAGE_MODEL,
		description: 'Clipia image model slug',
	},
	{
		key: 'aspect_ratio',
		n8nName: 'aspectRatio',
		displayName: 'Aspect Ratio',
		type: 'enum',
		target: 'input',
		options: IMAGE_ASPECT_RATIOS,
		usual: '1:1',
		description: 'Shape of the image, width:height',
	},
	{
		key: 'resolution',
		n8nName: 'resolution',
		displayName: 'Resolution',
		type: 'enum',
		target: 'input',
		options: IMAGE_RESOLUTIONS,
		usual: '1k',
		description: 'Output size: 1k (about 1024 px on the long side), 2k or 4k; larger costs more',
	},
	{
		key: 'num_images',
		n8nName: 'numImages',
		displayName: 'Number of Images',
		type: 'integer',
		target: 'input',
		min: 1,
		max: 4,
		usual: 1,
		description: 'How many images to generate from the prompt (1–4); each is charged',
	},
	{
		key: 'image_urls',
		n8nName: 'referenceImageUrls',
		displayName: 'Reference Image URLs',
		type: 'urlList',
		target: 'input',
		maxItems: MAX_REFERENCE_IMAGES,
		description: `Up to ${MAX_REFERENCE_IMAGES} https image URLs to edit or take style from (image-to-image)`,
	},
	extraInput,
	webhookUrl,
] as const satisfies readonly FieldSpec[];

export const VIDEO_FIELDS = [
	prompt('What the video should show, in plain words'),
	{
		key: 'image_url',
		n8nName: 'imageUrl',
		displayName: 'Start Image URL',
		type: 'url',
		target: 'input',
		description: 'An https image URL used as the first frame (image-to-video)',
	},
	{
		key: 'model',
		n8nName: 'model',
		displayName: 'Model',
		type: 'string',
		target: 'model',
		description: `Clipia video model slug; left out: ${DEFAULT_IMAGE_TO_VIDEO_MODEL} with a start image, else ${DEFAULT_TEXT_TO_VIDEO_MODEL}`,
	},
	{
		key: 'duration',
		n8nName: 'duration',
		displayName: 'Duration (Seconds)',
		type: 'integer',
		target: 'input',
		min: VIDEO_DURATION_RANGE.min,
		max: VIDEO_DURATION_RANGE.max,
		usual: 5,
		description: `Length of the video in seconds (${VIDEO_DURATION_RANGE.min}–${VIDEO_DURATION_RANGE.max}; models may allow fewer values); longer costs more`,
	},
	{
		key: 'aspect_ratio',
		n8nName: 'aspectRatio',
		displayName: 'Aspect Ratio',
		type: 'enum',
		target: 'input',
		options: VIDEO_ASPECT_RATIOS,
		usual: '16:9',
		description: 'Shape of the video, width:height',
	},
	{
		key: 'resolution',
		n8nName: 'resolution',
		displayName: 'Resolution',
		type: 'enum',
		target: 'input',
		options: VIDEO_RESOLUTIONS,
		usual: '720p',
		description: 'Video resolution; higher costs more',
	},
	{
		key: 'generate_audio',
		n8nName: 'generateAudio',
		displayName: 'Generate Audio',
		type: 'boolean',
		target: 'input',
		usual: false,
		description: 'Whether to add a generated soundtrack (costs more)',
	},
	extraInput,
	webhookUrl,
] as const satisfies readonly FieldSpec[];

export const AUDIO_FIELDS = [
	prompt('Speech models: the words to speak. Music models: the music or sound to make, in plain words'),
	{
		key: 'model',
		n8nName: 'model',
		displayName: 'Model',
		type: 'string',
		target: 'model',
		usual: DEFAULT_SPEECH_MODEL,
		description: `Clipia audio model slug: ${DEFAULT_SPEECH_MODEL} reads the prompt aloud (speech), ${DEFAULT_MUSIC_MODEL} makes the music or sound it describes`,
	},
	{
		key: 'voice',
		n8nName: 'voice',
		displayName: 'Voice',
		type: 'string',
		target: 'input',
		description: "Speech models: the voice to read with, one the model's input schema lists (e.g. Rachel)",
	},
	{
		key: 'duration',
		n8nName: 'duration',
		displayName: 'Duration (Seconds)',
		type: 'integer',
		target: 'input',
		min: AUDIO_DURATION_RANGE.min,
		max: AUDIO_DURATION_RANGE.max,
		description:
			'Music models: the length in seconds (models allow fewer; speech lasts as long as its words); longer costs more',
	},
	extraInput,
	webhookUrl,
] as const satisfies readonly FieldSpec[];

/** The value a field of each type takes. */
export type FieldValue<F extends FieldSpec> = F['type'] extends 'integer'
	? number
	: F['type'] extends 'boolean'
		? boolean
		: F['type'] extends 'urlList'
			? string[] | string
			: F['type'] extends 'json'
				? Record<string, unknown> | string
				: string;

/** The parameters of an operation, typed from its table: required fields must be given, the rest may be left out. */
export type ParamsOf<Fields extends readonly FieldSpec[]> = {
	[F in Fields[number] as F extends { required: true } ? F['key'] : never]: FieldValue<F>;
} & {
	[F in Fields[number] as F extends { required: true } ? never : F['key']]?: FieldValue<F> | null;
};

export type GenerateImageParams = ParamsOf<typeof IMAGE_FIELDS>;
export type GenerateVideoParams = ParamsOf<typeof VIDEO_FIELDS>;
export type GenerateAudioParams = ParamsOf<typeof AUDIO_FIELDS>;

/** The fields a surface offers. */
export function fieldsFor<Fields extends readonly FieldSpec[]>(
	fields: Fields,
	surface: Surface,
): Array<Fields[number]> {
	return fields.filter((field: FieldSpec) => !field.surfaces || field.surfaces.includes(surface));
}
