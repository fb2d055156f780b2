/** True for a 24-hex-digit ObjectId string (mongoose's isValid also accepts any 12-char string). */
export function isObjectIdString(id: string): boolean {
  return /^[0-9a-fA-F]{24}$/.test(id);
}
