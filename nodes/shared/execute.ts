/**
 * The per-execution loop shared by the three nodes: read and check every item first
 * (bad input costs nothing), then work on the items together under one client, and
 * emit items in input order with pairedItem, error items under continueOnFail.
 */

import { createHash } from 'node:crypto';
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import {
	callDeadlines,
	ClipiaError,
	failureOf,
	getGeneration,
	isTerminal,
	priceGenerations,
	runGeneration,
	stillRunningError,
	waitGeneration,
	type ClipiaClient,
	type GenerationResult,
	type JobIdentity,
	type PreparedGeneration,
} from '../../core';
import { mapConcurrent } from './batch';
import { errorItemJson, toNodeError } from './errors';
import {
	binaryOutputOf,
	idempotencyKeyOption,
	maxConcurrencyOption,
	maxCreditsPerRunOption,
	optionValue,
	type BinaryOutput,
} from './properties';
import { n8nNextStep, resultItems } from './results';
import { clientFor } from './transport';
import { parkUntilWebhook, resumeUrlFor, waitModeOf } from './webhook-wait';

/** One input item, read and checked: what to do with Clipia (`job`), how long, what to output. */
export interface ItemPlan<T> {
	itemIndex: number;
	job: T;
	output: 'urls' | 'binary';
	binary: BinaryOutput;
	maxWaitSeconds: number;
	/** FAILED / CANCELED (and a wait that runs out) end the item with an error; else the item carries them. */
	failOnError: boolean;
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

/** A Generate node item's generation, whether it waits, and its Idempotency Key when given. */
export type GenerationJob = PreparedGeneration & { wait: boolean; jobKey?: string };

/**
 * The job identity of an item with an Idempotency Key: the key is the user's, scoped to this
 * workflow and node so the same key elsewhere is another job.
 */
function jobIdentity(context: IExecuteFunctions, jobKey: string | undefined): JobIdentity | undefined {
	if (!jobKey) return undefined;
	return {
		scope: [context.getWorkflow().id ?? '', context.getNode().id, jobKey].join('\n'),
		sha256Hex: (text) => createHash('sha256').update(text).digest('hex'),
	};
}

/** What a Generate node item does besides its generation: wait or not, output, limits. */
export function generationPlan(
	context: IExecuteFunctions,
	itemIndex: number,
	generation: PreparedGeneration,
	maxWait: INodeProperties,
): ItemPlan<GenerationJob> {
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const jobKey = String(optionValue(options, idempotencyKeyOption) ?? '').trim();
	return {
		itemIndex,
		job: {
			...generation,
			wait: context.getNodeParameter('waitForCompletion', itemIndex) as boolean,
			...(jobKey ? { jobKey } : {}),
		},
		output: context.getNodeParameter('output', itemIndex) as 'urls' | 'binary',
		binary: binaryOutputOf(options),
		maxWaitSeconds: Number(optionValue(options, maxWait)),
		failOnError: true,
	};
}

/** Items worked on at once: the first item's Options decide for the run. */
export function maxConcurrencyOf(context: IExecuteFunctions): number {
	const value = Number(optionValue(context.getNodeParameter('options', 0, {}) as IDataObject, maxConcurrencyOption));
	return Number.isFinite(value) && value >= 1 ? Math.floor(value) : Number(maxConcurrencyOption.default);
}

/** An item that does not wait may spend this long getting its submission through (429s, a slow API). */
const SUBMIT_PATIENCE_SECONDS = 60;

/** Max Wait bounds everything an item does with Clipia: requests, retries, 429 patience, the wait, Clipia's last answer. */
function itemDeadline(client: ClipiaClient, seconds: number): number {
	return callDeadlines(client.runtime.now(), seconds).deadline;
}

/** Submits (and maybe waits for) prepared generations, items together. */
export async function runGenerations(
	context: IExecuteFunctions,
	plans: Array<ItemPlan<GenerationJob> | { itemIndex: number; error: unknown }>,
): Promise<INodeExecutionData[][]> {
	const waiting = plans.find((plan): plan is ItemPlan<GenerationJob> => 'job' in plan);
	const onWebhook = waiting?.job.wait === true && waitModeOf(context) === 'webhook';
	if (onWebhook) {
		// Checked before anything is sent; then each generation tells Clipia where to call.
		const resumeUrl = await resumeUrlFor(context);
		const own = plans.find((plan) => 'job' in plan && plan.job.webhookUrl && plan.job.webhookUrl !== resumeUrl);
		if (own)
			throw new NodeOperationError(
				context.getNode(),
				'Options → Webhook URL can\'t be used with Wait Mode "Resume on Clipia Webhook": Clipia calls one URL per generation, and this mode needs it.',
				{ itemIndex: own.itemIndex, description: 'Remove the Webhook URL option, or use Wait Mode "Poll".' },
			);
		plans = plans.map((plan) =>
			'job' in plan ? { ...plan, job: { ...plan.job, webhookUrl: resumeUrl, wait: false } } : plan,
		);
	}
	const client = await clientFor(context);
	plans = await keepWithinCreditCap(context, client, plans);
	// Once Clipia says the credits ran out, no item submits again: those waiting end as not submitted.
	let outOfCredits: ClipiaError | undefined;
	const items = await work(
		context,
		plans,
		async (item, signal) => {
			// An item with an Idempotency Key may be a replay of one already paid for: it still asks.
			if (outOfCredits && !item.job.jobKey) throw notSubmitted(outOfCredits);
			return runGeneration(
				{
					client,
					signal,
					nextStep: n8nNextStep,
					deadline: itemDeadline(client, item.job.wait ? item.maxWaitSeconds : SUBMIT_PATIENCE_SECONDS),
				},
				item.job,
				{
					waitSeconds: item.job.wait ? item.maxWaitSeconds : 0,
					patientWithRateLimits: true,
					job: jobIdentity(context, item.job.jobKey),
				},
			).catch((error: unknown) => {
				if (isUnsentForCredits(error)) outOfCredits ??= error as ClipiaError;
				throw error;
			});
		},
		(item) => item.job.wait,
	);
	return onWebhook ? parkUntilWebhook(context, items[0], waiting!.maxWaitSeconds) : items;
}

/** Clipia's answers that mean no generation can be paid for now. */
const OUT_OF_CREDITS = new Set(['insufficient_credits', 'subscription_required']);

/** A submit refused for credits (no generation exists), or an item left unsubmitted after one. */
function isUnsentForCredits(error: unknown): boolean {
	return error instanceof ClipiaError && OUT_OF_CREDITS.has(error.code) && !error.requestId;
}

/** An item left unsubmitted because the credits ran out before its turn. */
function notSubmitted(cause: ClipiaError): ClipiaError {
	return new ClipiaError({
		code: cause.code,
		status: cause.status,
		message:
			cause.code === 'subscription_required'
				? "Not submitted: the account's subscription lapsed before this item's turn (Clipia refused an earlier submit of this run). Nothing was charged for it."
				: "Not submitted: the credits ran out before this item's turn (Clipia refused an earlier submit of this run). Nothing was charged for it.",
	});
}

/**
 * Options → Max Credits per Run: every item priced before the first submit; over the cap, the
 * node stops having spent nothing. An item that can't be priced fails on its own, as it would
 * at its submit (under Continue on Fail it becomes an error item, not counted, not submitted).
 */
async function keepWithinCreditCap(
	context: IExecuteFunctions,
	client: ClipiaClient,
	plans: Array<ItemPlan<GenerationJob> | { itemIndex: number; error: unknown }>,
): Promise<Array<ItemPlan<GenerationJob> | { itemIndex: number; error: unknown }>> {
	const cap = Number(optionValue(context.getNodeParameter('options', 0, {}) as IDataObject, maxCreditsPerRunOption));
	if (!(cap > 0)) return plans;
	const priced = plans.filter((plan): plan is ItemPlan<GenerationJob> => 'job' in plan);
	const prices = await priceGenerations(
		{ client, signal: context.getExecutionCancelSignal?.(), deadline: itemDeadline(client, SUBMIT_PATIENCE_SECONDS) },
		priced.map((plan) => plan.job),
	);
	const unpriced = new Map<number, unknown>();
	const costs: Array<{ item: number; cost: number }> = [];
	for (const [index, price] of prices.entries()) {
		const { itemIndex } = priced[index];
		if (price.ok) costs.push({ item: itemIndex + 1, cost: price.value });
		else if (!context.continueOnFail()) throw toNodeError(context.getNode(), price.error, itemIndex);
		else unpriced.set(itemIndex, price.error);
	}
	const total = costs.reduce((sum, { cost }) => sum + cost, 0);
	if (total > cap) {
		const count = context.getInputData().length;
		const dearest = [...costs]
			.sort((a, b) => b.cost - a.cost || a.item - b.item)
			.slice(0, 3)
			.map(({ item, cost }) => `item ${item} of ${count} (${cost} credits)`);
		throw new NodeOperationError(
			context.getNode(),
			`This run would cost ${total} credits, more than Max Credits per Run (${cap}). Nothing was submitted.`,
			{
				description: `The most expensive: ${dearest.join(', ')}. Raise Max Credits per Run, or send fewer or cheaper items.`,
			},
		);
	}
	return plans.map((plan) =>
		unpriced.has(plan.itemIndex) ? { itemIndex: plan.itemIndex, error: unpriced.get(plan.itemIndex) } : plan,
	);
}

/** Waits for generations by request_id, items together. */
export async function waitForRequests(
	context: IExecuteFunctions,
	plans: Array<ItemPlan<{ requestId: string }> | { itemIndex: number; error: unknown }>,
): Promise<INodeExecutionData[][]> {
	const client = await clientFor(context);
	if (waitModeOf(context) === 'webhook') {
		await resumeUrlFor(context);
		// One look each: what already ended goes on; the rest waits for Clipia's webhook.
		const items = await work(
			context,
			plans,
			async (item, signal) =>
				getGeneration(
					{ client, signal, nextStep: n8nNextStep, deadline: itemDeadline(client, SUBMIT_PATIENCE_SECONDS) },
					{ request_id: item.job.requestId },
				),
			() => true,
			{ runningIsTimeout: false },
		);
		const first = plans.find((plan) => 'job' in plan) as ItemPlan<unknown> | undefined;
		return parkUntilWebhook(context, items[0], first?.maxWaitSeconds ?? 600);
	}
	return work(
		context,
		plans,
		async (item, signal) =>
			waitGeneration(
				{ client, signal, nextStep: n8nNextStep, deadline: itemDeadline(client, item.maxWaitSeconds) },
				{ request_id: item.job.requestId, wait_seconds: item.maxWaitSeconds, patientWithRateLimits: true },
			),
		() => true,
	);
}

async function work<T>(
	context: IExecuteFunctions,
	plans: Array<ItemPlan<T> | { itemIndex: number; error: unknown }>,
	run: (item: ItemPlan<T>, signal?: AbortSignal) => Promise<GenerationResult>,
	waited: (item: ItemPlan<T>) => boolean,
	{ runningIsTimeout = true } = {},
): Promise<INodeExecutionData[][]> {
	const signal = context.getExecutionCancelSignal?.();
	const settled = await mapConcurrent(
		plans,
		maxConcurrencyOf(context),
		async (plan) => {
			if ('error' in plan) throw plan.error;
			const result = await run(plan, signal);
			if (waited(plan)) {
				if (runningIsTimeout && !isTerminal(result) && plan.failOnError)
					throw timeoutError(result, plan.maxWaitSeconds);
				const failure = failureOf(result);
				if (failure && plan.failOnError) throw failure;
			}
			return resultItems(context, result, plan.output, plan.binary, signal);
		},
		signal,
	);

	return [outputItems(context, plans, settled)];
}

/**
 * Each item's outcome as output, in input order and paired to its input: its items, or under
 * Continue on Fail an error item; else the first failure stops the node, naming every other
 * generation the run paid for.
 */
export function outputItems(
	context: IExecuteFunctions,
	plans: ReadonlyArray<{ itemIndex: number }>,
	settled: Array<{ ok: true; value: INodeExecutionData[] } | { ok: false; error: unknown }>,
	{ namePaidSiblings = true } = {},
): INodeExecutionData[] {
	const out: INodeExecutionData[] = [];
	for (const [index, outcome] of settled.entries()) {
		const itemIndex = plans[index].itemIndex;
		if (outcome.ok) {
			for (const item of outcome.value) out.push({ ...item, pairedItem: { item: itemIndex } });
			continue;
		}
		if (!context.continueOnFail()) {
			const error = toNodeError(context.getNode(), outcome.error, itemIndex);
			const others = namePaidSiblings ? submittedElsewhere(settled, index) : [];
			const unsent = settled.filter((other) => !other.ok && isUnsentForCredits(other.error)).length;
			if ((others.length || unsent) && 'description' in error)
				error.description = [
					error.description,
					others.length ? siblingsSentence(others) : undefined,
					unsent
						? `${unsent} item(s) were not submitted: the credits ran out, and nothing was charged for them.`
						: undefined,
				]
					.filter(Boolean)
					.join('\n');
			throw error;
		}
		out.push({ json: errorItemJson(outcome.error), pairedItem: { item: itemIndex } });
	}
	return out;
}

/** Items of this run that did get submitted (and were paid for), so a failing run loses none of them. */
function submittedElsewhere(
	settled: Array<{ ok: true; value: INodeExecutionData[] } | { ok: false; error: unknown }>,
	except: number,
): Array<{ id: string; status: string }> {
	return settled.flatMap((outcome, index) => {
		if (index === except) return [];
		if (outcome.ok) {
			const json = outcome.value[0]?.json;
			return json?.request_id ? [{ id: String(json.request_id), status: String(json.status ?? '') }] : [];
		}
		// A failed item may still have been paid for (a wait that ran out, a download that failed).
		const error = outcome.error;
		return error instanceof ClipiaError && error.requestId ? [{ id: error.requestId, status: error.code }] : [];
	});
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
	return stillRunningError(
		result,
		seconds,
		'continue with a Clipia Wait Generation node using this request_id, or raise Max Wait (Seconds).',
	);
}
