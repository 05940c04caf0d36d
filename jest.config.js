/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': 'ts-jest' },
	testTimeout: 60_000,
	maxWorkers: 2,
	// n8n-core's singletons (DI container, binary data service) keep the worker alive after the in-process n8n tests.
	forceExit: true,
};
