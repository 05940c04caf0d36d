/** The lock that keeps two first runs (two installs of one line, or of Node 24) apart. */

import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { Log } from './lines';

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Holds `lockDir` (an atomic mkdir) while `work` runs; waits for a live holder, breaks a dead one's lock. */
export async function withLock<T>(lockDir: string, what: string, log: Log, work: () => Promise<T>): Promise<T> {
	const owner = join(lockDir, 'owner');
	// The folder that holds the lock may not exist yet (a fresh machine's first command).
	mkdirSync(dirname(lockDir), { recursive: true });
	let waitingSince = 0;
	for (;;) {
		try {
			mkdirSync(lockDir);
			writeFileSync(owner, JSON.stringify({ pid: process.pid, host: hostname() }));
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		let holder: { pid: number; host: string } | undefined;
		try {
			holder = JSON.parse(readFileSync(owner, 'utf8'));
		} catch {
			// Just created and not yet written, or left empty by a crash: judge by its age.
			const made = statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs;
			if (made !== undefined && Date.now() - made > 30_000) rmSync(lockDir, { recursive: true, force: true });
		}
		if (holder && holder.host === hostname() && !alive(holder.pid)) {
			log(`A previous install of ${what} (process ${holder.pid}) stopped midway; taking over.`);
			rmSync(lockDir, { recursive: true, force: true });
			continue;
		}
		if (!waitingSince || Date.now() - waitingSince > 60_000) {
			if (holder) log(`Waiting for another process (${holder.pid}) to finish installing ${what}…`);
			waitingSince = Date.now();
		}
		await new Promise((r) => setTimeout(r, 1000));
	}
	try {
		return await work();
	} finally {
		rmSync(lockDir, { recursive: true, force: true });
	}
}
