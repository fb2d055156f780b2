import { CommandError, ErrorCode } from './errors.ts';
import { isPlainObject, type Doc } from './storage/key-encoding.ts';

/** What an active failCommand failpoint does to the command it caught. */
export interface FailAction {
  closeConnection: boolean;
  blockTimeMS: number;
  errorCode: number | null;
  errorLabels: string[] | undefined;
  writeConcernError: Doc | undefined;
}

interface FailCommandState {
  data: Doc;
  commands: Set<string>;
  /** Remaining activations; Infinity for alwaysOn. */
  times: number;
  skip: number;
  probability: number;
}

/** mongod's `failCommand` test failpoint, configured with `configureFailPoint` on admin. */
export class FailPoints {
  private failCommand: FailCommandState | null = null;

  /** Applies a `configureFailPoint` command; returns the reply. */
  configure(body: Doc): Doc {
    const name = body.configureFailPoint;
    if (name !== 'failCommand') {
      throw new CommandError(ErrorCode.BadValue, `Cannot find failpoint with name ${String(name)}`);
    }
    const mode = body.mode;
    const data = isPlainObject(body.data) ? body.data : {};
    let times: number;
    let skip = 0;
    let probability = 1;
    if (mode === 'off') {
      times = 0;
    } else if (mode === 'alwaysOn') {
      times = Infinity;
    } else if (isPlainObject(mode) && mode.times !== undefined) {
      times = Number(mode.times);
    } else if (isPlainObject(mode) && mode.skip !== undefined) {
      times = Infinity;
      skip = Number(mode.skip);
    } else if (isPlainObject(mode) && mode.activationProbability !== undefined) {
      times = Infinity;
      probability = Number(mode.activationProbability);
    } else {
      throw new CommandError(
        ErrorCode.BadValue,
        'mode must be off, alwaysOn, {times}, {skip} or {activationProbability}',
      );
    }
    const list = Array.isArray(data.failCommands) ? data.failCommands.map(String) : [];
    if (times > 0 && list.length === 0) {
      throw new CommandError(
        ErrorCode.BadValue,
        'failCommand failpoint requires a non-empty failCommands list',
      );
    }
    this.failCommand =
      times > 0 ? { data, commands: new Set(list), times, skip, probability } : null;
    return { count: 0, ok: 1 };
  }

  /** The action for a command about to run, consuming one activation; null when none applies. */
  check(command: string, appName: string | undefined, ns: string): FailAction | null {
    const fp = this.failCommand;
    if (!fp || command === 'configureFailPoint' || !fp.commands.has(command)) return null;
    if (typeof fp.data.appName === 'string' && fp.data.appName !== appName) return null;
    if (typeof fp.data.namespace === 'string' && fp.data.namespace !== ns) return null;
    if (fp.skip > 0) {
      fp.skip--;
      return null;
    }
    if (fp.probability < 1 && Math.random() >= fp.probability) return null;
    fp.times--;
    if (fp.times <= 0) this.failCommand = null;
    const d = fp.data;
    return {
      closeConnection: d.closeConnection === true,
      blockTimeMS: d.blockConnection === true ? Number(d.blockTimeMS ?? 0) : 0,
      errorCode: d.errorCode !== undefined ? Number(d.errorCode) : null,
      errorLabels: Array.isArray(d.errorLabels) ? d.errorLabels.map(String) : undefined,
      writeConcernError: isPlainObject(d.writeConcernError) ? d.writeConcernError : undefined,
    };
  }
}
