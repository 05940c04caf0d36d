/**
 * Zod schemas for the tools. Generation arguments come from core's field tables (the
 * same tables behind the n8n parameters and validation), so the surfaces cannot drift.
 */

import { z } from 'zod';
import { fieldsFor, type FieldSpec, type Surface } from '../../../core';

export const MAX_WAIT_SECONDS = 50;

/** A field's value as a tool argument. */
type ArgumentValue<F extends FieldSpec> = F['type'] extends 'integer'
	? number
	: F['type'] extends 'boolean'
		? boolean
		: F['type'] extends 'urlList'
			? string[]
			: F['type'] extends 'json'
				? Record<string, unknown>
				: string;

type OfferedToMcp<F extends FieldSpec> = F extends { surfaces: readonly Surface[] }
	? 'mcp' extends F['surfaces'][number]
		? F
		: never
	: F;

/** The arguments of a table's fields, typed from the table. */
export type ArgumentsOf<Fields extends readonly FieldSpec[]> = {
	[F in Fields[number] as OfferedToMcp<F> extends never ? never : F['key']]: F extends { required: true }
		? z.ZodType<ArgumentValue<F>>
		: z.ZodOptional<z.ZodType<ArgumentValue<F>>>;
};

/** What a tool argument's description adds about leaving it out: nothing is sent then. */
function leftOut(field: FieldSpec): string {
	if (field.required || field.usual === undefined) return '';
	if (field.target === 'model') return ` Left out: ${String(field.usual)}.`;
	return ` Left out: not sent, the model's own default applies (usually ${String(field.usual)}).`;
}

/** One tool argument from a core field: type, limits, description. */
export function argumentFromField(field: FieldSpec): z.ZodTypeAny {
	const description = `${field.description}.${leftOut(field)}`;
	const schema = baseSchema(field).describe(description);
	return field.required ? schema : schema.optional();
}

function baseSchema(field: FieldSpec): z.ZodTypeAny {
	switch (field.type) {
		case 'integer':
			return z
				.number({ invalid_type_error: `${field.key} must be a whole number.` })
				.int(`${field.key} must be a whole number.`)
				.min(field.min ?? Number.MIN_SAFE_INTEGER, `${field.key} must be from ${field.min} to ${field.max}.`)
				.max(field.max ?? Number.MAX_SAFE_INTEGER, `${field.key} must be from ${field.min} to ${field.max}.`);
		case 'boolean':
			return z.boolean({ invalid_type_error: `${field.key} must be true or false.` });
		case 'enum': {
			const options = (field.options ?? []) as [string, ...string[]];
			return z.enum(options, { errorMap: () => ({ message: `${field.key} must be one of ${options.join(', ')}.` }) });
		}
		case 'url':
			return z.string().url(`${field.key} must be an https URL.`);
		case 'urlList':
			return z
				.array(z.string().url(`${field.key} must hold https URLs.`))
				.max(field.maxItems ?? 4, `${field.key} takes at most ${field.maxItems} URLs.`);
		case 'json':
			// Any fields, said so in the schema (`additionalProperties: true`), not an empty schema that says nothing.
			return z
				.object({}, { invalid_type_error: `${field.key} must be an object of model input fields, e.g. {"seed": 42}.` })
				.passthrough();
		case 'string':
			return z.string().trim().min(1, `${field.key} cannot be empty.`);
	}
}

/** Tool arguments for the fields of a core table that MCP offers, keyed by their API names. */
export function argumentsFromFields<Fields extends readonly FieldSpec[]>(fields: Fields): ArgumentsOf<Fields> {
	return Object.fromEntries(
		fieldsFor(fields, 'mcp').map((field) => [field.key, argumentFromField(field)]),
	) as ArgumentsOf<Fields>;
}

export function waitSecondsArgument(defaultSeconds: number): z.ZodTypeAny {
	return z
		.number({ invalid_type_error: 'wait_seconds must be a number.' })
		.min(0, `wait_seconds must be from 0 to ${MAX_WAIT_SECONDS}.`)
		.max(MAX_WAIT_SECONDS, `wait_seconds must be from 0 to ${MAX_WAIT_SECONDS}.`)
		.optional()
		.describe(
			`How long to wait for the result in this call, in seconds (default ${defaultSeconds}, max ${MAX_WAIT_SECONDS}). ` +
				'If the generation is still running then, the answer has its request_id and next_step.',
		);
}

export const includePreviewArgument = z
	.boolean()
	.optional()
	.describe(
		'Attach one small inline preview of a finished image, or a short audio clip (default true; skipped above 256 KB).',
	);

export const requestIdArgument = z
	.string()
	.trim()
	.min(1, 'request_id cannot be empty.')
	.describe('The request_id a generate_image, generate_video or generate_audio call returned.');

const mediaFile = z
	.object({
		url: z.string().describe('Display rendition, fit to show.'),
		original_url: z.string().optional().describe('Full-quality original.'),
		width: z.number().optional(),
		height: z.number().optional(),
		duration: z.number().optional(),
	})
	.passthrough();

/** The one result shape (see core/result.ts), as the model reads it. */
export const generationResultShape = {
	request_id: z.string().describe('Keep it: it finds the generation again with wait_generation or get_generation.'),
	status: z.enum(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELED']),
	model: z.string(),
	cost_credits: z.number().describe('Credits charged (refunded when the generation fails or is canceled).'),
	queue_position: z.number().optional(),
	progress: z.number().optional().describe('0–100 while running, when the model reports it.'),
	output: z
		.object({ images: z.array(mediaFile).optional(), video: mediaFile.optional(), audio: mediaFile.optional() })
		.passthrough()
		.optional(),
	error: z.object({ code: z.string(), message: z.string() }).optional(),
	next_step: z.string().optional().describe('Present while running: what to call next.'),
	note: z.string().optional().describe('Something about the output to know, e.g. variants tiled in one image.'),
	files: z
		.array(z.object({ path: z.string(), mime_type: z.string(), bytes: z.number() }))
		.optional()
		.describe('Media saved under CLIPIA_OUTPUT_DIR.'),
};
