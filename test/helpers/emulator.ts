/** One local Clipia for a test file: started before its tests, stopped after, with a fresh key per test. */

import { ClipiaEmulator, type EmulatorOptions, type KeyConfig } from '../../emulator/server';

/** The emulator of this test file (its URL is known once the file's tests start). */
export function useEmulator(options: EmulatorOptions): ClipiaEmulator {
	const emulator = new ClipiaEmulator(options);
	beforeAll(() => emulator.start());
	afterAll(() => emulator.stop());
	return emulator;
}

let keyCounter = 0;

/** Makes fresh live keys, so each test's request counts and charges are its own. */
export function keyMaker(emulator: ClipiaEmulator, name: string, defaults: Omit<KeyConfig, 'key'> = {}) {
	return (options: Omit<KeyConfig, 'key'> = {}): string => {
		const key = `clipia_live_${name}_${++keyCounter}_${Date.now()}`;
		emulator.addKey({ key, credits: 1_000, ...defaults, ...options });
		return key;
	};
}
