/** The fetch of the runtime, before watchApiFetches() (contract-watch.ts) wraps it. */
export const realFetch = globalThis.fetch;
