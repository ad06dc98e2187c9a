import { html, type Html } from './html';

const TITLES: Readonly<Record<number, string>> = {
  400: 'Request refused',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Not allowed',
  429: 'Too many attempts',
  500: 'Something went wrong',
  503: 'Unavailable',
};

export const errorTitle = (status: number): string => TITLES[status] ?? 'Error';

/** A page for a person: what happened and where to go; never a stack trace. */
export const errorPage = (message: string): Html => html`<p class="problem">${message}</p>
<p><a href="/">Back to the organizations</a></p>`;
