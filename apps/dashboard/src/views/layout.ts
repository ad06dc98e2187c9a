import { html, type Html } from './html';

export interface PageChrome {
  readonly title: string;
  /** Who is signed in; null on pages shown before sign-in. */
  readonly user: string | null;
  /** The session's CSRF token, for the sign-out form; null without a session (HTTP Basic). */
  readonly csrfToken: string | null;
  readonly readOnly: boolean;
  readonly breadcrumbs?: readonly { readonly label: string; readonly href: string }[];
  /** Reload the page this often (a job still running). */
  readonly refreshSeconds?: number;
}

/** A hidden field carrying the session's CSRF token: every form that POSTs has one. */
export const csrfField = (token: string): Html => html`<input type="hidden" name="_csrf" value="${token}">`;

const signedIn = (chrome: PageChrome): Html =>
  chrome.user === null
    ? html``
    : html`<span class="user">${chrome.user}</span>${chrome.csrfToken === null
          ? ''
          : html`<form method="post" action="/logout" class="inline">${csrfField(chrome.csrfToken)}<button class="link">Sign out</button></form>`}`;

/** The page around every view: navigation, who is signed in, read-only badge. */
export const layout = (chrome: PageChrome, body: Html): Html => html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${chrome.refreshSeconds === undefined ? '' : html`<meta http-equiv="refresh" content="${chrome.refreshSeconds}">`}
<title>${chrome.title} · Email scheduler</title>
<link rel="stylesheet" href="/assets/dashboard.css">
</head>
<body>
<header class="top">
  <a class="brand" href="/">Email scheduler</a>
  ${chrome.user === null
    ? ''
    : html`<nav><a href="/">Organizations</a><a href="/queues">Queues</a><a href="/healthz">Health</a><a href="/metrics">Metrics</a></nav>`}
  <span class="spacer"></span>
  ${chrome.readOnly ? html`<span class="badge read-only" title="Actions are hidden and refused">read-only</span>` : ''}
  ${signedIn(chrome)}
</header>
<main>
${chrome.breadcrumbs === undefined || chrome.breadcrumbs.length === 0
  ? ''
  : html`<nav class="crumbs">${chrome.breadcrumbs.map((crumb) => html`<a href="${crumb.href}">${crumb.label}</a> / `)}</nav>`}
<h1>${chrome.title}</h1>
${body}
</main>
</body>
</html>`;
