/**
 * What a process knows of one API key, in one place: the key's request budget and its
 * generation slots, the models' input schemas, the run times its generations took, notes on
 * the generations it submitted, and the webhook deliveries heard for its parked batches.
 * Every client of the key in the process
 * (each n8n execution, each MCP tool call, each webhook delivery) works with the same
 * `KeyState`, so a client built anywhere, any way, shares all of it.
 *
 * The registry is keyed by an identity the surface derives from base URL and key (a hash):
 * core never sees the key itself.
 */

import { RequestBudget, type BudgetOptions } from './http/budget';
import { Deliveries } from './operations/ended';
import { ModelSchemas } from './operations/fit';
import { GenerationNotes } from './operations/notes';
import type { Runtime } from './runtime';
import { RunTimes } from './wait/run-times';

/** A process clock (and, for jitter, its randomness): never an execution's runtime, which a shared state must not hold on to. */
export type ProcessClock = Pick<Runtime, 'now' | 'sleep' | 'random'>;

export class KeyState {
	readonly budget: RequestBudget;
	readonly schemas = new ModelSchemas();
	readonly runTimes = new RunTimes();
	readonly notes = new GenerationNotes();
	readonly deliveries: Deliveries;

	constructor(clock: ProcessClock, budget?: BudgetOptions) {
		this.budget = new RequestBudget(clock, budget);
		this.deliveries = new Deliveries(clock);
	}
}

/** The keys this process works with, the least recently used forgotten past `max`. */
export class KeyStates {
	private readonly states = new Map<string, KeyState>();

	constructor(private readonly max = 256) {}

	/** The state of the key known as `identity`; made with `clock` the first time. */
	for(identity: string, clock: ProcessClock): KeyState {
		let state = this.states.get(identity);
		if (state) this.states.delete(identity);
		else state = new KeyState(clock);
		// Re-inserted: the map stays in order of last use.
		this.states.set(identity, state);
		if (this.states.size > this.max) this.states.delete(this.states.keys().next().value as string);
		return state;
	}
}

/** The process's registry, used by both surfaces. */
export const keyStates = new KeyStates();
