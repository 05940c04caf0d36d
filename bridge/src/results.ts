/**
 * Tool outcomes and errors as MCP content: everything in `structuredContent` (Claude Code
 * shows the model only that), mirrored as one JSON text block for clients that ignore it;
 * an image or audio clip only as its own content block, never base64 inside the structured result; each
 * finished medium as a `resource_link`.
 */

import { ClipiaError, isAbortError, redactSecrets } from '../../core';
import type { ToolOutcome } from './tools';

export type ContentBlock =
	| { type: 'text'; text: string }
	| { type: 'image' | 'audio'; data: string; mimeType: string }
	| { type: 'resource_link'; uri: string; name: string; mimeType: string; size?: number };

export interface ToolResult {
	content: ContentBlock[];
	structuredContent?: Record<string, unknown>;
	isError?: boolean;
	[key: string]: unknown;
}

export function successResult(outcome: ToolOutcome): ToolResult {
	const content: ContentBlock[] = [{ type: 'text', text: JSON.stringify(outcome.structured) }];
	if (outcome.preview)
		content.push({ type: outcome.preview.kind, data: outcome.preview.data, mimeType: outcome.preview.mimeType });
	// Links after the preview: a client that shows resources offers each original (and saved file) by name.
	for (const link of outcome.links ?? []) content.push({ type: 'resource_link', ...link });
	// A generation that ended FAILED/CANCELED is the call's failure: flagged, the full result kept.
	if (outcome.failure)
		return {
			content: [{ type: 'text', text: outcome.failure }, ...content],
			structuredContent: outcome.structured,
			isError: true,
		};
	return { content, structuredContent: outcome.structured };
}

/** One clear sentence, what to do next in this bridge's own tool names, and the request_id. */
export function errorResult(error: unknown): ToolResult {
	const clipia = asClipiaError(error);
	const next = nextStepFor(clipia);
	const structured = { error: clipia.toJSON(), ...(next ? { next_step: next } : {}) };
	const text = next ? `${clipia.message} ${next}` : clipia.message;
	return { content: [{ type: 'text', text }], structuredContent: structured, isError: true };
}

function asClipiaError(error: unknown): ClipiaError {
	if (error instanceof ClipiaError) return error;
	if (isAbortError(error)) {
		return new ClipiaError({ code: 'call_canceled', message: 'The call was canceled before it finished.' });
	}
	const text = error instanceof Error ? error.message : String(error);
	return new ClipiaError({
		code: 'internal_error',
		message: `The bridge failed unexpectedly: ${redactSecrets(text)}.`,
	});
}

function nextStepFor(error: ClipiaError): string | undefined {
	const id = error.requestId;
	switch (error.code) {
		case 'insufficient_credits':
			return 'Call get_balance to see the credits left; estimate_cost tells what a generation needs.';
		case 'subscription_required':
			return 'The account needs an active Clipia subscription (its credits are frozen until then); get_balance shows them.';
		case 'invalid_api_key':
			return 'Set a valid key in CLIPIA_API_KEY where this MCP server is configured (HTTP: the Authorization Bearer header).';
		case 'insufficient_scope':
			return 'Use a key with the "generate" scope in CLIPIA_API_KEY.';
		case 'not_found':
			return id ? undefined : 'Call list_models for valid model slugs.';
		case 'model_input_invalid':
		case 'validation_error':
			return 'Fix that argument and call again (get_model lists each field a model accepts).';
		case 'call_canceled':
		case 'network_error':
		case 'service_unavailable':
		case 'internal_error':
		case 'invalid_response':
		case 'rate_limit_exceeded':
			return id
				? `The generation keeps its request_id "${id}": call get_generation with it before submitting again.`
				: undefined;
		default:
			return undefined;
	}
}
