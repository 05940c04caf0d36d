/**
 * The per-execution loop shared by the three nodes: read and check every item first
 * (bad input costs nothing), then work on the items together under one client, and
 * emit items in input order with pairedItem, error items under continueOnFail.
 */

import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import {
	ClipiaError,
	failureOf,
	isTerminal,
	runGeneration,
	waitGeneration,
	type GenerationResult,
	type NextStep,
	type PreparedGeneration,
	type ClipiaClient,
} from '../../core';
import { mapConcurrent } from './batch';
import { errorItemJson, toNodeError } from './errors';
import { downloadMedia } from './media';
import { clientFor } from './transport';

export const n8nNextStep: NextStep = (requestId) =>
	`Still running. Continue with a Clipia Wait Generation node (Request ID ${requestId}); nothing more is charged.`;

export interface ItemPlan<T> {
	itemIndex: number;
	plan: T;
	output: 'urls' | 'binary';
	binaryPropertyName: string;
	maxWaitSeconds: number;
}

export interface FinishOptions {
	/** FAILED / CANCELED end the item with an error (else the item carries status and error). */
	failOnError: boolean;
	/** A wait that runs out ends the item with an error (else it carries status and next_step). */
	failOnTimeout: boolean;
}

/** Reads each item's plan; a bad item stops the node before anything is sent (unless continueOnFail). */
export function planItems<T>(
	context: IExecuteFunctions,
	read: (itemIndex: number) => ItemPlan<T>,
): Array<ItemPlan<T> | { itemIndex: number; error: unknown }> {
	return context.getInputData().map((_, itemIndex) => {
		try {
			return read(itemIndex);
		} catch (error) {
			if (!context.continueOnFail()) throw toNodeError(context.getNode(), error, itemIndex);
			return { itemIndex, error };
		}
	});
}

/**
 * The plan of one Generate node item: the node builds the generation from its own
 * parameters (and the options collection); wait, output and limits are read the same way.
 */
export function generationPlan(
	context: IExecuteFunctions,
	itemIndex: number,
	defaults: { waitForCompletion: boolean; maxWaitSeconds: number },
	prepare: (options: IDataObject) => PreparedGeneration,
): ItemPlan<PreparedGeneration & { wait: boolean }> {
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return {
		itemIndex,
		plan: { ...prepare(options), wait: context.getNodeParameter('waitForCompletion', itemIndex, defaults.waitForCompletion) as boolean },
		output: context.getNodeParameter('output', itemIndex, 'binary') as 'urls' | 'binary',
		binaryPropertyName: String(options.binaryPropertyName || 'data'),
		maxWaitSeconds: Number(options.maxWaitSeconds ?? defaults.maxWaitSeconds),
	};
}

export function maxConcurrencyOf(context: IExecuteFunctions): number {
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const value = Number(options.maxConcurrency ?? 5);
	return Number.isFinite(value) && value >= 1 ? Math.floor(value) : 5;
}

/** An item that does not wait may spend this long getting its submission through (429s, a slow API). */
const SUBMIT_PATIENCE_SECONDS = 60;
/** Past Max Wait, what Clipia's last answer may take. */
const LAST_ANSWER_SECONDS = 3;

/** Max Wait bounds everything an item does with Clipia: requests, retries, 429 patience, the wait. */
function itemDeadline(client: ClipiaClient, seconds: number): number {
	return client.runtime.now() + (seconds + LAST_ANSWER_SECONDS) * 1000;
}

/** Submits (and maybe waits for) prepared generations, items together. */
export async function runGenerations(
	context: IExecuteFunctions,
	plans: Array<ItemPlan<PreparedGeneration & { wait: boolean }> | { itemIndex: number; error: unknown }>,
): Promise<INodeExecutionData[][]> {
	const client = await clientFor(context);
	return work(context, plans, async (item, signal) =>
		runGeneration({ client, signal, nextStep: n8nNextStep, deadline: itemDeadline(client, item.plan.wait ? item.maxWaitSeconds : SUBMIT_PATIENCE_SECONDS) }, item.plan, {
			waitSeconds: item.plan.wait ? item.maxWaitSeconds : 0,
			patientWithRateLimits: true,
		}),
		{ failOnError: true, failOnTimeout: true },
		(item) => item.plan.wait,
	);
}

/** Waits for generations by request_id, items together. */
export async function waitForRequests(
	context: IExecuteFunctions,
	plans: Array<ItemPlan<{ requestId: string }> | { itemIndex: number; error: unknown }>,
	finish: FinishOptions,
): Promise<INodeExecutionData[][]> {
	const client = await clientFor(context);
	return work(
		context,
		plans,
		async (item, signal) =>
			waitGeneration(
				{ client, signal, nextStep: n8nNextStep, deadline: itemDeadline(client, item.maxWaitSeconds) },
				{ request_id: item.plan.requestId, wait_seconds: item.maxWaitSeconds, patientWithRateLimits: true },
			),
		finish,
		() => true,
	);
}

async function work<T>(
	context: IExecuteFunctions,
	plans: Array<ItemPlan<T> | { itemIndex: number; error: unknown }>,
	run: (item: ItemPlan<T>, signal?: AbortSignal) => Promise<GenerationResult>,
	finish: FinishOptions,
	waited: (item: ItemPlan<T>) => boolean,
): Promise<INodeExecutionData[][]> {
	const signal = context.getExecutionCancelSignal?.();
	const settled = await mapConcurrent(
		plans,
		maxConcurrencyOf(context),
		async (plan) => {
			if ('error' in plan) throw plan.error;
			const result = await run(plan, signal);
			if (waited(plan)) {
				if (!isTerminal(result) && finish.failOnTimeout) throw timeoutError(result, plan.maxWaitSeconds);
				const failure = failureOf(result);
				if (failure && finish.failOnError) throw failure;
			}
			if (plan.output === 'binary' && result.status === 'COMPLETED' && result.output) {
				const files = await downloadMedia(context, result, signal).catch((error: unknown) => {
					throw downloadError(result, error);
				});
				if (files.length) {
					return files.map((file) => ({
						json: {
							...result,
							files: [{ binary_property: plan.binaryPropertyName, mime_type: file.mimeType, bytes: file.bytes }],
						} as unknown as IDataObject,
						binary: { [plan.binaryPropertyName]: file.binary },
					}));
				}
			}
			return [{ json: result as unknown as IDataObject }];
		},
		signal,
	);

	const out: INodeExecutionData[] = [];
	for (const [index, outcome] of settled.entries()) {
		const itemIndex = plans[index].itemIndex;
		if (outcome.ok) {
			for (const item of outcome.value) out.push({ ...item, pairedItem: { item: itemIndex } });
			continue;
		}
		if (!context.continueOnFail()) {
			const error = toNodeError(context.getNode(), outcome.error, itemIndex);
			const others = submittedElsewhere(settled, index);
			if (others.length && 'description' in error) error.description = [error.description, siblingsSentence(others)].filter(Boolean).join('\n');
			throw error;
		}
		out.push({ json: errorItemJson(outcome.error), pairedItem: { item: itemIndex } });
	}
	return [out];
}

/** Items of this run that did get submitted (and were paid for), so a failing run loses none of them. */
function submittedElsewhere(settled: Array<{ ok: boolean; value?: INodeExecutionData[] }>, except: number): Array<{ id: string; status: string }> {
	return settled
		.filter((outcome, index) => index !== except && outcome.ok)
		.map((outcome) => ({ id: String(outcome.value?.[0]?.json?.request_id ?? ''), status: String(outcome.value?.[0]?.json?.status ?? '') }))
		.filter((sibling) => sibling.id);
}

/** Every sibling's request_id, and what became of the paid ones. */
function siblingsSentence(others: Array<{ id: string; status: string }>): string {
	const done = others.filter((sibling) => sibling.status === 'COMPLETED').length;
	return (
		`${others.length} other item(s) of this run were submitted and paid for (${done} completed, ${others.length - done} still running or ended otherwise); ` +
		`a Clipia Wait Generation node fetches any of them again: request_id ${others.map((sibling) => sibling.id).join(', ')}`
	);
}

function timeoutError(result: GenerationResult, seconds: number): ClipiaError {
	const where = result.status === 'IN_PROGRESS' && typeof result.progress === 'number' ? `IN_PROGRESS, ${result.progress}%` : result.status;
	return new ClipiaError({
		code: 'wait_timeout',
		requestId: result.request_id,
		message: `Clipia generation ${result.request_id} is still running after ${seconds} s (${where}). Nothing is lost: continue with a Clipia Wait Generation node using this request_id, or raise Max Wait (Seconds).`,
	});
}

function downloadError(result: GenerationResult, error: unknown): ClipiaError {
	const detail = error instanceof Error ? error.message.slice(0, 160) : String(error);
	return new ClipiaError({
		code: 'download_failed',
		requestId: result.request_id,
		message: `Generation ${result.request_id} finished, but downloading its media failed (${detail}). Use Output "URLs Only", or run Clipia Wait Generation with this request_id to try again; nothing more is charged.`,
	});
}
