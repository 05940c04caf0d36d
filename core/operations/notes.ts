/**
 * What this process remembers of the generations it submitted on a key: the model, the
 * kind of run time it has, its cost and its prompt, by request_id. Clipia's answers while a
 * generation runs carry neither its model nor its cost, and never its prompt, so a later look
 * at the same generation (a viewer refreshing its card, a wait in another call or execution)
 * gets them here. Bounded: the oldest are forgotten.
 */

export interface GenerationNote {
	model: string;
	/** The run-time kind (core/wait/run-times.ts `runTimeKind`). */
	kind: string;
	/** Credits reserved at submit (a running generation's answers don't say). */
	cost: number;
	prompt?: string;
}

export class GenerationNotes {
	private readonly notes = new Map<string, GenerationNote>();

	constructor(private readonly max = 2_000) {}

	remember(requestId: string, note: GenerationNote): void {
		this.notes.delete(requestId);
		this.notes.set(requestId, note);
		if (this.notes.size > this.max) this.notes.delete(this.notes.keys().next().value as string);
	}

	of(requestId: string): GenerationNote | undefined {
		return this.notes.get(requestId);
	}
}
