/** CONTRACT.md's datetime text: UTC `YYYY-MM-DD HH:MM:SS`. */
export const utcDatetime = (instant: Date): string => instant.toISOString().slice(0, 19).replace('T', ' ');
