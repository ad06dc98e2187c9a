import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import type { FleetQueues } from './fleet-queues';

export const BULL_BOARD_PATH = '/queues';

/**
 * Bull Board over every queue of the fleet (a run's flow spans the three,
 * and the flow view needs them all). In read-only mode each queue is
 * registered read-only: Bull Board hides its buttons and answers its write
 * endpoints with 405.
 */
export const bullBoardApp = (queues: FleetQueues, options: { readOnly: boolean }): Hono => {
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queues.all().map((queue) => new BullMQAdapter(queue, { readOnlyMode: options.readOnly })),
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: options.readOnly ? 'Scheduler queues (read-only)' : 'Scheduler queues',
        miscLinks: [{ text: 'Schedules', url: '/' }],
      },
    },
  });
  return serverAdapter.registerPlugin();
};
