/**
 * A tool, as the bridge describes it: SDK-free, so the tools never change when the MCP
 * SDK does (its wiring lives in ../sdk.ts alone).
 */

import type { z } from 'zod';
import type { CardRole } from '../card';
import { callDeadlines, LAST_ANSWER_MS, type ClipiaClient, type GenerationContext, type NextStep } from '../../../core';

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
	/** Epoch ms by which Clipia's answers must be in: requests, retries and waits stop there. */
	deadline: number;
	/** Epoch ms by which the call answers: previews and files that don't fit are left for the next call. */
	answerBy: number;
	/** Reports progress when the client asked for it (a no-op otherwise). */
	progress: (update: { progress: number; total?: number; message?: string }) => Promise<void>;
	media: MediaHandling;
}

/** How finished media reach the model: an inline preview, files on disk. */
export interface MediaHandling {
	/**
	 * A small inline image or audio clip (base64), or undefined when there is none, it is not
	 * of that kind, it is too large or it doesn't arrive by `answerBy`.
	 */
	preview(
		url: string,
		kind: 'image' | 'audio',
		signal: AbortSignal,
		answerBy: number,
	): Promise<InlineMedia | undefined>;
	/** Set when CLIPIA_OUTPUT_DIR is: streams each media file there, by `answerBy` at the latest. */
	save?: (
		items: Array<{ kind: 'image' | 'video' | 'audio'; url: string }>,
		requestId: string,
		signal: AbortSignal,
		answerBy: number,
	) => Promise<SavedMedia[]>;
}

export interface InlineMedia {
	kind: 'image' | 'audio';
	data: string;
	mimeType: string;
}

export interface SavedMedia {
	path: string;
	mime_type: string;
	bytes: number;
}

/** A finished medium as an MCP `resource_link`: its original (or the file saved from it). */
export interface MediaLink {
	uri: string;
	name: string;
	mimeType: string;
	/** Bytes, when known (a saved file). */
	size?: number;
}

/** What a tool returns: the structured result, plus at most one inline image or audio clip, plus links to the media. */
export interface ToolOutcome {
	structured: Record<string, unknown>;
	preview?: InlineMedia;
	links?: MediaLink[];
	/** Set for a generation that ended FAILED or CANCELED: the sentence a person would read. */
	failure?: string;
}

/** A tool as written: its arguments typed from its own schema. */
export interface ToolSpec<Input extends z.ZodRawShape> {
	name: string;
	title: string;
	/** Written for a model: when to call it and what comes back. */
	description: string;
	input: Input;
	output: z.ZodRawShape;
	annotations: ToolAnnotations;
	/** With the generation card (MCP Apps): shown beside the tool's result, or the card's own tool. */
	card?: CardRole;
	/** For tools that wait: how long this call may wait (seconds); its answer comes within that plus a few seconds. */
	waitSeconds?: (args: z.objectOutputType<Input, z.ZodTypeAny>) => number;
	run(args: z.objectOutputType<Input, z.ZodTypeAny>, call: ToolCall): Promise<ToolOutcome>;
}

/** A tool as served: listed beside the others, called with arguments already checked against its `input`. */
export interface ToolDefinition extends Omit<ToolSpec<z.ZodRawShape>, 'run' | 'waitSeconds'> {
	waitSeconds?: (args: Record<string, unknown>) => number;
	run(args: Record<string, unknown>, call: ToolCall): Promise<ToolOutcome>;
}

/** How a chat continues a generation that is still running. */
export const mcpNextStep: NextStep = (requestId) =>
	`Still running. Call wait_generation with request_id "${requestId}" to keep waiting (or get_generation to check once).`;

/** What core runs with for this call: the client, the client's cancellation, the deadline, the tools' wording. */
export function contextOf(call: ToolCall): GenerationContext {
	return { client: call.client, signal: call.signal, deadline: call.deadline, nextStep: mcpNextStep };
}

/** A call that does not wait answers within this; one that waits, within its wait plus ANSWER_MARGIN_MS. */
export const QUICK_CALL_MS = 20_000;
/** Of that margin, Clipia's last answer takes core's LAST_ANSWER_MS; the rest is for the preview or files. */
export const ANSWER_MARGIN_MS = 4_500;

/** When a call started at `startedAt` must have Clipia's answers (core's call deadlines), and must answer itself. */
export function callTimes(startedAt: number, waitSeconds: number | undefined): { deadline: number; answerBy: number } {
	if (waitSeconds === undefined) return { deadline: startedAt + QUICK_CALL_MS, answerBy: startedAt + QUICK_CALL_MS };
	const { deadline } = callDeadlines(startedAt, waitSeconds);
	return { deadline, answerBy: deadline + ANSWER_MARGIN_MS - LAST_ANSWER_MS };
}

/**
 * Writes a tool with typed arguments and serves it with the others. The one cast: the SDK
 * hands `run` only arguments it has parsed with this very `input` schema.
 */
export function defineTool<Input extends z.ZodRawShape>(tool: ToolSpec<Input>): ToolDefinition {
	type Args = z.objectOutputType<Input, z.ZodTypeAny>;
	const { waitSeconds } = tool;
	return {
		...tool,
		run: (args, call) => tool.run(args as Args, call),
		waitSeconds: waitSeconds && ((args) => waitSeconds(args as Args)),
	};
}

export const READ_ONLY: ToolAnnotations = { readOnlyHint: true, idempotentHint: true, openWorldHint: true };
export const SPENDS_CREDITS: ToolAnnotations = {
	readOnlyHint: false,
	destructiveHint: false,
	idempotentHint: false,
	openWorldHint: true,
};
