import { CursorStore } from './cursors.ts';
import { FailPoints } from './failpoints.ts';
import { Catalog } from './storage/catalog.ts';

/** Everything one server instance holds: data, cursors, failpoints. */
export class ServerState {
  readonly catalog = new Catalog();
  readonly cursors = new CursorStore();
  readonly failPoints = new FailPoints();
  readonly startedAt = Date.now();
  readonly log: (msg: string) => void;
  connectionsOpen = 0;
  connectionsTotal = 0;
  /** Commands run, by name (serverStatus `metrics.commands`, as mongod reports them). */
  readonly commandCounts = new Map<string, { total: number; failed: number }>();

  constructor(log: (msg: string) => void) {
    this.log = log;
  }
}

/** Per-connection facts commands may need. */
export interface ConnectionInfo {
  readonly id: number;
  readonly remote: string;
  appName: string | undefined;
}
