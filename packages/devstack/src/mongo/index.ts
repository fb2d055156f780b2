export { startMongoServer } from './server.ts';
export type { MongoServerHandle, MongoServerOptions } from './server.ts';
