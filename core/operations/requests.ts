/** waitGeneration and getGeneration: follow a generation by its request_id. */

import { keepRequestId, validationError } from '../errors';
import type { RequestResponse } from '../http/wire';
import { resultFromAnswer, type GenerationResult, type KnownOfGeneration } from '../result';
import { waitForGeneration } from '../wait/waiter';
import { waitDeadline, type GenerationContext } from './context';

const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{5,127}$/;

/** Trims and checks a request_id before it goes into a URL. */
export function checkRequestId(raw: unknown): string {
	const id = typeof raw === 'string' ? raw.trim() : '';
	if (!id)
		throw validationError(
			'request_id',
			'"Request ID" (request_id) is required: use the request_id a generate call returned.',
		);
	if (!REQUEST_ID.test(id)) {
		throw validationError(
			'request_id',
			`"${id.slice(0, 80)}" is not a Clipia request_id (expected something like 3f1c9c7e-…).`,
		);
	}
	return id;
}

export interface WaitParams {
	request_id: string;
	wait_seconds: number;
	onUpdate?: (answer: RequestResponse) => void;
	patientWithRateLimits?: boolean;
}

/** Waits until the generation ends or `wait_seconds` pass; either way returns its state. */
export async function waitGeneration(context: GenerationContext, params: WaitParams): Promise<GenerationResult> {
	const { client, signal, nextStep, deadline: callDeadline } = context;
	const requestId = checkRequestId(params.request_id);
	const answer = await waitForGeneration(client, requestId, {
		deadline: waitDeadline(context, params.wait_seconds),
		hardDeadline: callDeadline,
		signal,
		onUpdate: params.onUpdate,
		patientWithRateLimits: params.patientWithRateLimits,
	}).catch(keepRequestId(requestId));
	return resultFromAnswer(answer, knownOf(client, requestId), nextStep);
}

/** The generation's current state, one request, no waiting. */
export async function getGeneration(
	context: GenerationContext,
	params: { request_id: string },
): Promise<GenerationResult> {
	const { client, signal, nextStep, deadline } = context;
	const requestId = checkRequestId(params.request_id);
	const answer = await client.result(requestId, { signal, deadline }).catch(keepRequestId(requestId));
	return resultFromAnswer(answer, knownOf(client, requestId), nextStep);
}

/** What this process noted when it submitted the generation: its model and cost, which a running one's answers lack. */
function knownOf(client: GenerationContext['client'], requestId: string): KnownOfGeneration {
	const note = client.key.notes.of(requestId);
	return note ? { model: note.model, cost: note.cost } : {};
}
