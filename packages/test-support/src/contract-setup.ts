// Vitest setup file: direct `fetch` calls to an API from startTestApi() are contract-checked too.
import { watchApiFetches } from './contract-watch.ts';

watchApiFetches();
