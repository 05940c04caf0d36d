/**
 * Wait Mode "Resume on Clipia Webhook": instead of polling while the execution runs, the
 * node submits with this execution's resume URL as Clipia's `webhook_url` and parks the
 * execution (n8n shows it as waiting; no process holds it). Clipia's signed webhook calls
 * the node's `webhook()`, which resumes the run once every generation of the step ended.
 *
 * How n8n's engine shapes this (read in n8n's own code, both lines):
 * - A parked execution keeps the node's input (its stack entry), and `webhook()` reads it as
 *   its items; nothing else survives between two webhook calls that do not resume. So the
 *   node parks with its input replaced by the items it would hand on: each with its
 *   request_id, which is how `webhook()` knows the batch.
 * - At the parking's time limit (Max Wait) n8n resumes on its own, without running the node
 *   again: it hands those items on unchanged. So they say what happened and what to do next.
 * - A resumed node is not run again, so a FAILED generation cannot stop the workflow there:
 *   its item carries `status` and `error`.
 */

import { createHmac } from 'node:crypto';
import {
	NodeOperationError,
	type IDataObject,
	type IDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type IWebhookDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import {
	type BatchState,
	isTerminal,
	normalizeBaseUrl,
	parseWebhookBody,
	verifyWebhook,
	type GenerationResult,
	type GenerationStatus,
} from '../../core';
import { errorItemJson } from './errors';
import { n8nNextStep, resultItems, type OutputMode } from './results';
import { binaryOutputOf, maxConcurrencyOption, optionValue } from './properties';
import { mapConcurrent } from './batch';
import { CREDENTIAL, keyClientFor } from './transport';

export type WaitMode = 'poll' | 'webhook';

export function waitModeProperty(showWhen?: IDisplayOptions['show']): INodeProperties {
	return {
		displayName: 'Wait Mode',
		name: 'waitMode',
		type: 'options',
		default: 'poll',
		...(showWhen ? { displayOptions: { show: showWhen } } : {}),
		options: [
			{
				name: 'Poll',
				value: 'poll',
				description: 'The execution runs while it asks Clipia, rarely at first and often near the expected end',
			},
			{
				name: 'Resume on Clipia Webhook',
				value: 'webhook',
				description:
					"The execution is parked (shown as waiting, holding no process) until Clipia's signed webhook says every generation ended",
			},
		],
		description: 'How to wait for the generations to end. Both give the same items.',
	};
}

export function webhookNotice(showWhen: IDisplayOptions['show'] = {}, before = ''): INodeProperties {
	return {
		displayName:
			before +
			"Clipia must be able to call this n8n: set n8n's WEBHOOK_URL to its public https address, and the Webhook Signing Secret in the Clipia credential. A FAILED generation comes as an item with status and error (a resumed step can't stop the workflow). If no webhook comes by Max Wait, n8n goes on with each item's request_id and next step.",
		name: 'webhookNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ...showWhen, waitMode: ['webhook'] } },
	};
}

/** The restart webhook n8n calls at `$execution.resumeUrl` while the execution is parked. */
export const resumeWebhooks: IWebhookDescription[] = [
	{ name: 'default', httpMethod: 'POST', path: '', restartWebhook: true, responseMode: 'onReceived' },
];

/** The node's Wait Mode; an agent's tool call cannot park, so it always polls. */
export function waitModeOf(context: IExecuteFunctions): WaitMode {
	if (context.getNode().type.endsWith('Tool')) return 'poll';
	return context.getNodeParameter('waitMode', 0, 'poll') === 'webhook' ? 'webhook' : 'poll';
}

function isLoopback(hostname: string): boolean {
	return /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(hostname);
}

/**
 * The URL Clipia is to call, checked before anything is sent: a signing secret to check
 * deliveries with, and an address Clipia can reach (public https; a local one only for a
 * Clipia endpoint on the same machine, such as the emulator).
 */
export async function resumeUrlFor(context: IExecuteFunctions): Promise<string> {
	const node = context.getNode();
	const credentials = await context.getCredentials<{ baseUrl?: string; webhookSecret?: string }>(CREDENTIAL);
	if (!String(credentials.webhookSecret ?? '').trim()) {
		throw new NodeOperationError(
			node,
			'Wait Mode "Resume on Clipia Webhook" needs the Webhook Signing Secret in the Clipia credential, to tell Clipia\'s deliveries from forged ones.',
			{
				description:
					'Copy it from Clipia\'s developer console (Webhooks) into the credential, or use Wait Mode "Poll".',
			},
		);
	}
	const resumeUrl = String(context.evaluateExpression('{{ $execution.resumeUrl }}', 0) ?? '');
	let url: URL;
	try {
		url = new URL(resumeUrl);
	} catch {
		throw new NodeOperationError(node, 'This execution has no resume URL, so Clipia could not resume it.', {
			description: 'Use Wait Mode "Poll".',
		});
	}
	const clipiaIsLocal = isLoopback(new URL(normalizeBaseUrl(credentials.baseUrl)).hostname);
	const reachable = isLoopback(url.hostname) ? clipiaIsLocal : url.protocol === 'https:';
	if (!reachable) {
		throw new NodeOperationError(
			node,
			`Clipia could not reach this n8n to resume it: its webhook address is ${url.origin}, and Clipia calls only public https addresses.`,
			{
				description:
					'Set n8n\'s WEBHOOK_URL to the public https address of this instance, or use Wait Mode "Poll". (A local address works only with a Clipia endpoint on this machine.)',
			},
		);
	}
	return resumeUrl;
}

/** An item of a generation that has not ended: the ones a webhook resumes. */
function pendingId(item: INodeExecutionData): string | undefined {
	const { request_id: requestId, status, error } = item.json;
	if (typeof requestId !== 'string' || typeof status !== 'string' || error !== undefined) return undefined;
	return isTerminal({ status: status as GenerationStatus }) ? undefined : requestId;
}

/**
 * Parks the execution until Clipia's webhook (or Max Wait) with `items` as what it hands
 * on; hands them on at once when no generation is left running.
 */
export async function parkUntilWebhook(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	maxWaitSeconds: number,
): Promise<INodeExecutionData[][]> {
	if (!items.some(pendingId)) return [items];
	const waiting = items.map((item) => {
		const id = pendingId(item);
		if (!id) return item;
		return {
			...item,
			json: {
				...item.json,
				next_step: `Clipia's webhook did not come within Max Wait (${maxWaitSeconds} s), so n8n went on: the generation may still be running. Continue with a Clipia Wait Generation node (Request ID ${id}); nothing more is charged.`,
			},
		};
	});
	// What n8n keeps of the parked node: webhook() reads the request_ids here, and at Max Wait n8n hands these on.
	context.getExecuteData().data.main[0] = waiting;
	await context.putExecutionToWait(new Date(Date.now() + maxWaitSeconds * 1000));
	return [waiting];
}

/** A webhook() answers within this (a wait for a newer delivery included), well inside the 10 s Clipia gives a delivery. */
const DECIDE_WITHIN_MS = 8_000;

function hmacSha256(secret: string, data: Buffer): Buffer {
	return createHmac('sha256', secret).update(data).digest();
}

type RawRequest = ReturnType<IWebhookFunctions['getRequestObject']> & {
	rawBody?: Buffer;
	readRawBody?: () => Promise<void>;
};

async function rawBodyOf(request: RawRequest): Promise<Buffer | undefined> {
	if (!request.rawBody && typeof request.readRawBody === 'function') await request.readRawBody();
	return request.rawBody;
}

function answer(context: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	context.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

/**
 * A delivery to the parked execution. Forged, altered or stale (more than 5 minutes off):
 * 401, nothing resumes. Genuine: its signed body tells how its generation ended (the API
 * is read where it doesn't, and for generations not heard of here); once every generation
 * of the step ended the execution resumes with the items Poll mode would give, else it
 * stays parked. A repeated delivery does the same again, so it does no harm.
 */
export async function resumeOnWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const credentials = await this.getCredentials<{ webhookSecret?: string }>(CREDENTIAL);
	const secret = String(credentials.webhookSecret ?? '').trim();
	const raw = await rawBodyOf(this.getRequestObject() as RawRequest);
	const signature = this.getHeaderData()['x-clipia-signature'];
	const check =
		secret && raw
			? verifyWebhook(hmacSha256, secret, raw, Array.isArray(signature) ? signature[0] : signature, Date.now())
			: ({ ok: false, reason: 'mismatch' } as const);
	if (!check.ok) return answer(this, 401, { error: `Clipia webhook signature refused (${check.reason})` });
	const delivery = parseWebhookBody(raw!);
	if (!delivery) return answer(this, 400, { error: 'Not a Clipia webhook body' });

	// The parked items, as the node saw them; evaluateExpression's declared type is any parameter value.
	const waiting = this.evaluateExpression('{{ $input.all() }}', 0) as unknown as INodeExecutionData[];
	const ids = waiting.map(pendingId).filter((id): id is string => id !== undefined);
	if (!ids.includes(delivery.request_id)) return answer(this, 200, { received: true, resumed: false });

	let state: BatchState;
	try {
		const { client, deliveries } = await keyClientFor(this);
		state = await deliveries.decide(
			{ client, nextStep: n8nNextStep, deadline: Date.now() + DECIDE_WITHIN_MS },
			ids,
			delivery.request_id,
			delivery.ended,
		);
	} catch {
		// Clipia could not be asked in time (an outage, rate limits): it delivers again later.
		return answer(this, 503, {
			received: true,
			resumed: false,
			error: 'Clipia could not be asked in time; deliver again',
		});
	}
	if (!state.resume) return answer(this, 200, { received: true, resumed: false });
	// Clipia has its answer; the media are fetched after it, however long they take.
	answer(this, 200, { received: true, resumed: true });

	const byId = new Map<string, GenerationResult>(state.results.map((result) => [result.request_id, result]));
	const output = this.getNodeParameter('output', 'binary') as OutputMode;
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const binary = binaryOutputOf(options);
	// Several files at once, as Poll mode downloads them: Max Concurrency bounds both.
	const limit = Math.max(1, Math.floor(Number(optionValue(options, maxConcurrencyOption))) || 1);
	const made = await mapConcurrent(waiting, limit, async (item): Promise<INodeExecutionData[]> => {
		const id = pendingId(item);
		if (!id) return [item];
		// A resumed step can't fail the workflow: a download that fails becomes the item's error.
		const files = await resultItems(this, byId.get(id)!, output, binary).catch((error: unknown) => [
			{ json: errorItemJson(error) },
		]);
		return files.map((one) => ({ ...one, pairedItem: item.pairedItem }));
	});
	const items = made.flatMap((outcome) => (outcome.ok ? outcome.value : []));
	return { workflowData: [items], noWebhookResponse: true };
}
