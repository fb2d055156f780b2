import { aggregateCommands } from './aggregate.command.ts';
import { bulkWriteCommands } from './bulk-write.command.ts';
import { collectionCommands } from './collection.commands.ts';
import type { CommandHandler } from './command.types.ts';
import { findAndModifyCommands } from './find-and-modify.command.ts';
import { findCommands } from './find.commands.ts';
import { indexCommands } from './index.commands.ts';
import { serverCommands } from './server.commands.ts';
import { writeCommands } from './write.commands.ts';

/** Every supported command by name. */
export const commands = new Map<string, CommandHandler>(
  Object.entries({
    ...serverCommands,
    ...findCommands,
    ...writeCommands,
    ...bulkWriteCommands,
    ...findAndModifyCommands,
    ...aggregateCommands,
    ...indexCommands,
    ...collectionCommands,
  }),
);
