/**
 * A tool, as the bridge describes it: SDK-free, so the tools never change when the MCP
 * SDK does (its wiring lives in ../sdk.ts alone).
 */

import type { z } from 'zod';
import type { ClipiaClient } from '../../../core';

export interface ToolAnnotations {
	readOnlyHint: boolean;
	destructiveHint?: boolean;
	idempotentHint: boolean;
	openWorldHint: boolean;
}

/** What a tool call runs with. */
export interface ToolCall {
	client: ClipiaClient;
	/** Aborted when the client cancels the call. */
	signal: AbortSignal;
	/** Reports progress when the client asked for it (a no-op otherwise). */
	progress: (update: { progress: number; total?: number; message?: string }) => Promise<void>;
	media: MediaHandling;
}

/** How finished media reach the model: an inline preview, files on disk. */
export interface MediaHandling {
	/** A small inline image (base64), or undefined when there is none or it is too large. */
	preview(url: string, signal: AbortSignal): Promise<InlineImage | undefined>;
	/** Set when CLIPIA_OUTPUT_DIR is: streams each media file there. */
	save?: (items: Array<{ kind: 'image' | 'video' | 'audio'; url: string }>, requestId: string, signal: AbortSignal) => Promise<SavedMedia[]>;
}

export interface InlineImage {
	data: string;
	mimeType: string;
}

export interface SavedMedia {
	path: string;
	mime_type: string;
	bytes: number;
}

/** What a tool returns: the structured result, plus at most one inline image. */
export interface ToolOutcome {
	structured: Record<string, unknown>;
	image?: InlineImage;
	/** Set for a generation that ended FAILED or CANCELED: the sentence a person would read. */
	failure?: string;
}

export interface ToolDefinition<Input extends z.ZodRawShape = z.ZodRawShape> {
	name: string;
	title: string;
	/** Written for a model: when to call it and what comes back. */
	description: string;
	input: Input;
	output: z.ZodRawShape;
	annotations: ToolAnnotations;
	run(args: z.objectOutputType<Input, z.ZodTypeAny>, call: ToolCall): Promise<ToolOutcome>;
}

/** Keeps each tool's argument types while listing them together. */
export function defineTool<Input extends z.ZodRawShape>(tool: ToolDefinition<Input>): ToolDefinition<Input> {
	return tool;
}

export const READ_ONLY: ToolAnnotations = { readOnlyHint: true, idempotentHint: true, openWorldHint: true };
export const SPENDS_CREDITS: ToolAnnotations = {
	readOnlyHint: false,
	destructiveHint: false,
	idempotentHint: false,
	openWorldHint: true,
};
