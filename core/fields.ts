/**
 * Each operation's fields, described once. The n8n parameter list and the MCP tool
 * schema are both built from these tables, and validation reads them too, so the two
 * surfaces cannot drift apart (a test holds them side by side).
 */

export type FieldType = 'string' | 'integer' | 'boolean' | 'enum' | 'url' | 'urlList';

export interface FieldSpec {
	/** The API's (and MCP's) snake_case name. */
	key: string;
	/** The n8n parameter's camelCase name. */
	n8nName: string;
	displayName: string;
	type: FieldType;
	description: string;
	required?: boolean;
	/** What Clipia uses when the field is left out (shown to people; not sent). */
	default?: string | number | boolean;
	options?: readonly string[];
	min?: number;
	max?: number;
	/** urlList only. */
	maxItems?: number;
	/** Sent to the API under `input` (false for fields that steer the operation itself). */
	apiInput: boolean;
}

export const DEFAULT_IMAGE_MODEL = 'nano-banana-2';
export const DEFAULT_TEXT_TO_VIDEO_MODEL = 'seedance-2-fast-t2v';
export const DEFAULT_IMAGE_TO_VIDEO_MODEL = 'seedance-2-fast-i2v';

export const IMAGE_ASPECT_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '21:9'] as const;
export const VIDEO_ASPECT_RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'] as const;
export const IMAGE_RESOLUTIONS = ['1k', '2k', '4k'] as const;
export const VIDEO_RESOLUTIONS = ['480p', '720p', '1080p'] as const;
export const MAX_REFERENCE_IMAGES = 4;
export const VIDEO_DURATION_RANGE = { min: 2, max: 15 } as const;

const prompt = (what: string): FieldSpec => ({
	key: 'prompt',
	n8nName: 'prompt',
	displayName: 'Prompt',
	type: 'string',
	required: true,
	apiInput: true,
	description: `What the ${what} should show, in plain words`,
});

export const IMAGE_FIELDS: readonly FieldSpec[] = [
	prompt('image'),
	{
		key: 'model',
		n8nName: 'model',
		displayName: 'Model',
		type: 'string',
		apiInput: false,
		default: DEFAULT_IMAGE_MODEL,
		description: `Clipia image model slug (default ${DEFAULT_IMAGE_MODEL})`,
	},
	{
		key: 'aspect_ratio',
		n8nName: 'aspectRatio',
		displayName: 'Aspect Ratio',
		type: 'enum',
		options: IMAGE_ASPECT_RATIOS,
		apiInput: true,
		default: '1:1',
		description: 'Shape of the image, width:height',
	},
	{
		key: 'resolution',
		n8nName: 'resolution',
		displayName: 'Resolution',
		type: 'enum',
		options: IMAGE_RESOLUTIONS,
		apiInput: true,
		default: '1k',
		description: 'Output size: 1k (about 1024 px on the long side), 2k or 4k; larger costs more',
	},
	{
		key: 'num_images',
		n8nName: 'numImages',
		displayName: 'Number of Images',
		type: 'integer',
		min: 1,
		max: 4,
		apiInput: true,
		default: 1,
		description: 'How many images to generate from the prompt (1–4); each is charged',
	},
	{
		key: 'image_urls',
		n8nName: 'referenceImageUrls',
		displayName: 'Reference Image URLs',
		type: 'urlList',
		maxItems: MAX_REFERENCE_IMAGES,
		apiInput: true,
		description: `Up to ${MAX_REFERENCE_IMAGES} https image URLs to edit or take style from (image-to-image)`,
	},
];

export const VIDEO_FIELDS: readonly FieldSpec[] = [
	prompt('video'),
	{
		key: 'image_url',
		n8nName: 'imageUrl',
		displayName: 'Start Image URL',
		type: 'url',
		apiInput: true,
		description: 'An https image URL used as the first frame (image-to-video)',
	},
	{
		key: 'model',
		n8nName: 'model',
		displayName: 'Model',
		type: 'string',
		apiInput: false,
		description: `Clipia video model slug (default ${DEFAULT_IMAGE_TO_VIDEO_MODEL} with a start image, else ${DEFAULT_TEXT_TO_VIDEO_MODEL})`,
	},
	{
		key: 'duration',
		n8nName: 'duration',
		displayName: 'Duration (Seconds)',
		type: 'integer',
		min: VIDEO_DURATION_RANGE.min,
		max: VIDEO_DURATION_RANGE.max,
		apiInput: true,
		default: 5,
		description: `Length of the video in seconds (${VIDEO_DURATION_RANGE.min}–${VIDEO_DURATION_RANGE.max}; models may allow fewer values); longer costs more`,
	},
	{
		key: 'aspect_ratio',
		n8nName: 'aspectRatio',
		displayName: 'Aspect Ratio',
		type: 'enum',
		options: VIDEO_ASPECT_RATIOS,
		apiInput: true,
		default: '16:9',
		description: 'Shape of the video, width:height',
	},
	{
		key: 'resolution',
		n8nName: 'resolution',
		displayName: 'Resolution',
		type: 'enum',
		options: VIDEO_RESOLUTIONS,
		apiInput: true,
		default: '720p',
		description: 'Video resolution; higher costs more',
	},
	{
		key: 'generate_audio',
		n8nName: 'generateAudio',
		displayName: 'Generate Audio',
		type: 'boolean',
		apiInput: true,
		default: false,
		description: 'Whether to add a generated soundtrack (costs more)',
	},
];

export function fieldByKey(fields: readonly FieldSpec[], key: string): FieldSpec {
	const field = fields.find((f) => f.key === key);
	if (!field) throw new Error(`No field ${key}`);
	return field;
}
