const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/**
 * Closes gracefully when Redis answers in time; otherwise cuts the
 * connections, so that the dashboard stops even while Redis is gone (a
 * graceful quit would wait for a reconnection that may never come).
 */
export const closeWithin = async (ms: number, close: () => Promise<unknown>, cut: () => void): Promise<void> => {
  const closed = close().then(
    () => true,
    () => true,
  );
  if (await Promise.race([closed, delay(ms).then(() => false)])) return;
  cut();
  await Promise.race([closed, delay(ms)]);
};
