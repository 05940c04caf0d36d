import type { ClipiaClient } from '../http/client';
import { defaultNextStep, type NextStep } from '../result';

/** What every operation runs with: the client, the caller's cancellation, its wording. */
export interface OperationContext {
	client: ClipiaClient;
	signal?: AbortSignal;
	/** Epoch ms by which the whole operation must answer (requests, retries, waits); none when absent. */
	deadline?: number;
	/** How this surface tells the user to continue a running generation. */
	nextStep?: NextStep;
}

export function contextDefaults(
	context: OperationContext,
): Required<Omit<OperationContext, 'signal' | 'deadline'>> & { signal?: AbortSignal; deadline?: number } {
	return { ...context, nextStep: context.nextStep ?? defaultNextStep };
}

/** When a wait of `waitSeconds` that starts now must end: never later than the call's own deadline. */
export function waitDeadline(context: OperationContext, waitSeconds: number): number {
	return Math.min(context.client.runtime.now() + Math.max(0, waitSeconds) * 1000, context.deadline ?? Infinity);
}
