// Public API of @storefront/test-support: the one home of test support, shared by the API's and
// the worker's tests and benches and by the load, chaos, dev and observability suites. Tests
// and benches only; lint keeps product code from importing it.
export * from './alert-sink.ts';
export * from './api-harness.ts';
export * from './bench-processes.ts';
export * from './child-output.ts';
export * from './bounded-teardown.ts';
export * from './eventually.ts';
export * from './failpoint.ts';
export * from './log-tail.ts';
export * from './payments.ts';
export * from './production-secrets.ts';
export * from './prom-text.ts';
export * from './mongo-commands.ts';
export * from './worker-stack.ts';
export * from './checkout-callback.ts';
export * from './contract.ts';
export * from './contract-watch.ts';
