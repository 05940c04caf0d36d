/**
 * Zod schemas for the tools. Generation arguments come from core's field tables (the
 * same tables behind the n8n parameters and validation), so the surfaces cannot drift.
 */

import { z } from 'zod';
import { type FieldSpec } from '../../../core';

export const MAX_WAIT_SECONDS = 50;

/** One tool argument from a core field: type, limits, description and default. */
export function argumentFromField(field: FieldSpec): z.ZodTypeAny {
	const shown = field.default !== undefined ? ` (default ${String(field.default)})` : '';
	const description = `${field.description}${shown}.`;
	let schema: z.ZodTypeAny;
	switch (field.type) {
		case 'string':
			schema = z.string().trim().min(1, `${field.key} cannot be empty.`);
			break;
		case 'integer':
			schema = z
				.number({ invalid_type_error: `${field.key} must be a whole number.` })
				.int(`${field.key} must be a whole number.`)
				.min(field.min ?? Number.MIN_SAFE_INTEGER, `${field.key} must be from ${field.min} to ${field.max}.`)
				.max(field.max ?? Number.MAX_SAFE_INTEGER, `${field.key} must be from ${field.min} to ${field.max}.`);
			break;
		case 'boolean':
			schema = z.boolean({ invalid_type_error: `${field.key} must be true or false.` });
			break;
		case 'enum': {
			const options = (field.options ?? []) as [string, ...string[]];
			schema = z.enum(options, { errorMap: () => ({ message: `${field.key} must be one of ${options.join(', ')}.` }) });
			break;
		}
		case 'url':
			schema = z.string().url(`${field.key} must be an https URL.`);
			break;
		case 'urlList':
			schema = z
				.array(z.string().url(`${field.key} must hold https URLs.`))
				.max(field.maxItems ?? 4, `${field.key} takes at most ${field.maxItems} URLs.`);
			break;
	}
	schema = schema.describe(description);
	return field.required ? schema : schema.optional();
}

/** Tool arguments for every field of a core table, keyed by their API names. */
export function argumentsFromFields(fields: readonly FieldSpec[]): Record<string, z.ZodTypeAny> {
	return Object.fromEntries(fields.map((field) => [field.key, argumentFromField(field)]));
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
	.describe('Attach one small inline preview of a finished image (default true; skipped above 256 KB).');

export const requestIdArgument = z
	.string()
	.trim()
	.min(1, 'request_id cannot be empty.')
	.describe('The request_id a generate_image or generate_video call returned.');

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
