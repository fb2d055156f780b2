/** A number rounded to a whole and written with thousands separators: 12,345. */
export const thousands = (v: number): string => Math.round(v).toLocaleString('en-US');
