/** A position in an oldest-first scan: the sort key of the last item seen, then `_id` for ties. */
export interface ScanCursor {
  at: Date;
  id: string;
}

/** A filter for documents strictly after `cursor` in (`field`, `_id`) order. */
export function afterCursor(
  field: string,
  cursor: ScanCursor | undefined,
): Record<string, unknown> {
  if (!cursor) return {};
  return {
    $or: [{ [field]: { $gt: cursor.at } }, { [field]: cursor.at, _id: { $gt: cursor.id } }],
  };
}
