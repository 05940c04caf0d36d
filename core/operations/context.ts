import { callDeadlines } from '../deadlines';
import type { ClipiaClient } from '../http/client';
import type { NextStep } from '../result';

/** What every operation runs with: the client, the caller's cancellation, the deadline. */
export interface OperationContext {
	client: ClipiaClient;
	signal?: AbortSignal;
	/** Epoch ms by which the whole operation must answer (requests, retries, waits); none when absent. */
	deadline?: number;
	/** How this surface tells its user to continue a running generation (core names no node and no tool). */
	nextStep?: NextStep;
}

/** Operations that may leave a generation running must have the surface's words for what comes next. */
export interface GenerationContext extends OperationContext {
	nextStep: NextStep;
}

/** When a wait of `waitSeconds` that starts now must end: never later than the call's own deadline. */
export function waitDeadline(context: OperationContext, waitSeconds: number): number {
	return Math.min(callDeadlines(context.client.runtime.now(), waitSeconds).waitUntil, context.deadline ?? Infinity);
}
