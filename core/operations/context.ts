import type { ClipiaClient } from '../http/client';
import { defaultNextStep, type NextStep } from '../result';

/** What every operation runs with: the client, the caller's cancellation, its wording. */
export interface OperationContext {
	client: ClipiaClient;
	signal?: AbortSignal;
	/** How this surface tells the user to continue a running generation. */
	nextStep?: NextStep;
}

export function contextDefaults(context: OperationContext): Required<Omit<OperationContext, 'signal'>> & { signal?: AbortSignal } {
	return { ...context, nextStep: context.nextStep ?? defaultNextStep };
}
