/** A metadata column's JSON object, or null when it is absent, malformed or not an object. */
export const parseMetadataObject = (text: string | null): Record<string, unknown> | null => {
  if (text === null || text === '') return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
};
