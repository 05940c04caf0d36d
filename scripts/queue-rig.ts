/**
 * n8n in queue mode, the way users scale it, on this machine: Redis and Postgres (from
 * Debian's packages, installed when missing) on free loopback ports with throwaway data, an
 * n8n main process and worker processes, all with the freshly built package installed and
 * the Clipia emulator behind the "Clipia account" credential. Everything stops with `stop()`.
 */

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipiaEmulator, DEMO_KEYS, type EmulatorOptions } from '../emulator/server';
import { capture, ensureN8n, freePort, prepareUserFolder, spawnN8n, type Log, type N8nRuntime } from './n8n-runtime';

/** A program from PATH or Debian's versioned folders, or undefined. */
function findProgram(name: string): string | undefined {
	const onPath = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
	if (onPath) return onPath;
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	for (const version of readdirSync(root).sort().reverse()) {
		const candidate = join(root, version, 'bin', name);
		if (existsSync(candidate)) return candidate;
	}
	return undefined;
}

/** Installs Debian packages when a program is missing (as root), or says how to. */
function ensurePrograms(programs: Record<string, string>, log: Log): void {
	const missing = Object.entries(programs).filter(([program]) => !findProgram(program));
	if (!missing.length) return;
	const packages = [...new Set(missing.map(([, pkg]) => pkg))];
	if (process.getuid?.() !== 0)
		throw new Error(`The queue-mode rig needs ${packages.join(', ')}: sudo apt-get install -y ${packages.join(' ')}`);
	log(`Installing ${packages.join(', ')} (Debian packages)…`);
	execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
	execFileSync('apt-get', ['install', '-y', '-qq', ...packages], {
		stdio: 'ignore',
		env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
	});
}

/** Postgres refuses to run as root: as root, it runs as Debian's `postgres` user. */
function asDatabaseUser(command: string, args: string[]): [string, string[]] {
	return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function waitForLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs: number): Promise<void> {
	return new Promise((resolvePromise, reject) => {
		let output = '';
		const timer = setTimeout(
			() => reject(new Error(`${what} was not ready in ${timeoutMs / 1000} s:\n${output}`)),
			timeoutMs,
		);
		const onData = (chunk: Buffer) => {
			output = (output + chunk.toString()).slice(-4000);
			if (pattern.test(output)) {
				clearTimeout(timer);
				resolvePromise();
			}
		};
		child.stdout?.on('data', onData);
		child.stderr?.on('data', onData);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`${what} stopped before it was ready (exit ${code}):\n${output}`));
		});
	});
}

export interface QueueRigOptions {
	line: string;
	workers: number;
	/** Executions a worker runs at once. */
	workerConcurrency?: number;
	emulator?: EmulatorOptions;
	/** Workflow JSON objects to import and publish (production webhooks). */
	workflows: Array<Record<string, unknown>>;
	log?: Log;
}

export interface WorkerProcess {
	name: string;
	process: ChildProcess;
}

export class QueueRig {
	readonly emulator: ClipiaEmulator;
	url = '';
	readonly workers: WorkerProcess[] = [];
	private main?: ChildProcess;
	private redis?: ChildProcess;
	private redisPort = 0;
	private pgData = '';
	private pgPort = 0;
	private readonly root = mkdtempSync(join(tmpdir(), 'clipia-queue-rig-'));
	private readonly folder = join(this.root, 'n8n');
	private runtime?: N8nRuntime;
	private env: Record<string, string> = {};
	private readonly log: Log;

	constructor(private readonly options: QueueRigOptions) {
		this.emulator = new ClipiaEmulator(options.emulator ?? {});
		this.log = options.log ?? (() => undefined);
	}

	async start(): Promise<void> {
		ensurePrograms(
			{
				'redis-server': 'redis-server',
				'redis-cli': 'redis-tools',
				initdb: 'postgresql',
				pg_ctl: 'postgresql',
				psql: 'postgresql-client',
			},
			this.log,
		);
		this.runtime = await ensureN8n(this.options.line, this.log);
		await this.emulator.start(await freePort());
		const redisPort = (this.redisPort = await freePort());
		const pgPort = (this.pgPort = await freePort());
		await this.startRedis(redisPort);
		this.startPostgres(pgPort);
		const port = await freePort();
		this.env = {
			// Every process must know the address Clipia calls back (a worker computes resume URLs).
			WEBHOOK_URL: `http://localhost:${port}/`,
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(pgPort),
			DB_POSTGRESDB_DATABASE: 'postgres',
			DB_POSTGRESDB_USER: 'n8n',
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redisPort),
			// Queue mode has no filesystem binary storage: n8n's own default there.
			N8N_DEFAULT_BINARY_DATA_MODE: 'database',
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		};
		prepareUserFolder(this.folder);
		await this.importAndPublish();
		this.main = spawnN8n(this.runtime, this.folder, ['start'], {
			...this.env,
			N8N_PORT: String(port),
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		});
		await waitForLine(this.main, /Editor is now accessible/, 'n8n main', 180_000);
		this.url = `http://localhost:${port}`;
		for (let n = 1; n <= this.options.workers; n++) await this.startWorker(`worker ${n}`);
	}

	/** Executions workers hold right now: the length of n8n's Bull queue of active jobs, read from Redis. */
	activeJobs(): number {
		const answer = spawnSync(
			findProgram('redis-cli') ?? 'redis-cli',
			['-p', String(this.redisPort), 'LLEN', 'bull:jobs:active'],
			{
				encoding: 'utf8',
			},
		);
		if (answer.status !== 0) throw new Error(`redis-cli failed: ${answer.stderr}`);
		return Number(answer.stdout.trim());
	}

	/** One SQL query on n8n's Postgres database; rows as lines, columns split by `|`. */
	query(sql: string): string[][] {
		const answer = spawnSync(
			findProgram('psql') ?? 'psql',
			['-h', '127.0.0.1', '-p', String(this.pgPort), '-U', 'n8n', '-d', 'postgres', '-tAc', sql],
			{ encoding: 'utf8' },
		);
		if (answer.status !== 0) throw new Error(`psql failed: ${answer.stderr}`);
		return answer.stdout
			.trim()
			.split('\n')
			.filter(Boolean)
			.map((line) => line.split('|'));
	}

	/** Starts one more worker (e.g. after one was killed). */
	async startWorker(name: string): Promise<WorkerProcess> {
		const worker = spawnN8n(
			this.runtime!,
			this.folder,
			['worker', `--concurrency=${this.options.workerConcurrency ?? 10}`],
			{
				...this.env,
				N8N_RUNNERS_BROKER_PORT: String(await freePort()),
				QUEUE_HEALTH_CHECK_PORT: String(await freePort()),
			},
		);
		await waitForLine(worker, /n8n worker is now ready/, `n8n ${name}`, 180_000);
		const entry = { name, process: worker };
		this.workers.push(entry);
		return entry;
	}

	async stop(): Promise<void> {
		const children = [this.main, ...this.workers.map((worker) => worker.process), this.redis];
		await Promise.all(
			children.map(
				(child) =>
					new Promise<void>((resolvePromise) => {
						if (!child || child.exitCode !== null || child.signalCode !== null) return resolvePromise();
						child.once('exit', () => resolvePromise());
						child.kill('SIGTERM');
						setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
					}),
			),
		);
		if (this.pgData) {
			const [command, args] = asDatabaseUser(findProgram('pg_ctl')!, ['-D', this.pgData, '-m', 'fast', 'stop']);
			spawnSync(command, args, { stdio: 'ignore' });
		}
		await this.emulator.stop();
		rmSync(this.root, { recursive: true, force: true });
	}

	private async startRedis(port: number): Promise<void> {
		this.redis = spawn(
			findProgram('redis-server')!,
			['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.root],
			{ stdio: ['ignore', 'pipe', 'pipe'] },
		);
		await waitForLine(this.redis, /Ready to accept connections/, 'Redis', 30_000);
	}

	private startPostgres(port: number): void {
		this.pgData = join(this.root, 'postgres');
		mkdirSync(this.pgData);
		// Throwaway: the data folder and its socket belong to whoever runs the server.
		chmodSync(this.root, 0o755);
		if (process.getuid?.() === 0) execFileSync('chown', ['postgres', this.pgData]);
		const run = (program: string, args: string[]) => {
			const [command, fullArgs] = asDatabaseUser(findProgram(program)!, args);
			const result = spawnSync(command, fullArgs, { encoding: 'utf8' });
			if (result.status !== 0) throw new Error(`${program} failed: ${result.stderr || result.stdout}`);
		};
		run('initdb', ['-D', this.pgData, '-U', 'n8n', '--auth=trust', '-E', 'UTF8']);
		run('pg_ctl', [
			'-D',
			this.pgData,
			'-o',
			`-p ${port} -k ${this.pgData} -c listen_addresses=127.0.0.1 -c fsync=off`,
			'-l',
			join(this.pgData, 'log.txt'),
			'-w',
			'start',
		]);
	}

	private async importAndPublish(): Promise<void> {
		const credentials = join(this.root, 'credentials.json');
		writeFileSync(
			credentials,
			JSON.stringify([
				{
					id: 'clipiaCredential1',
					name: 'Clipia account',
					type: 'clipiaApi',
					data: {
						apiKey: DEMO_KEYS.live,
						baseUrl: this.emulator.url,
						webhookSecret: this.emulator.options.webhookSecret,
					},
				},
			]),
		);
		const flows = join(this.root, 'workflows');
		mkdirSync(flows);
		for (const flow of this.options.workflows)
			writeFileSync(join(flows, `${String(flow.id)}.json`), JSON.stringify(flow));
		const steps = [
			['import:credentials', `--input=${credentials}`],
			['import:workflow', '--separate', `--input=${flows}`],
			...this.options.workflows.map((flow) => ['publish:workflow', `--id=${String(flow.id)}`]),
		];
		for (const args of steps) {
			const step = await capture(this.runtime!, this.folder, args, this.env);
			if (step.code !== 0) throw new Error(`n8n ${args[0]} failed: ${(step.stderr || step.stdout).slice(-800)}`);
		}
	}
}
