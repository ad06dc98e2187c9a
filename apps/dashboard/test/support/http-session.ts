import { CREDENTIALS } from './dashboard-world';

/** A signed-in session as a script would hold it: the cookie and the CSRF token of its pages. */
export interface HttpSession {
  readonly cookie: string;
  /** The Set-Cookie header that started the session, attributes included. */
  readonly setCookie: string;
  readonly csrfToken: string;
}

const setCookieOf = (response: Response, name: string): string => {
  const header = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));
  if (header === undefined) throw new Error(`no ${name} cookie in the response`);
  return header;
};

const cookieOf = (response: Response, name: string): string => setCookieOf(response, name).split(';')[0]!;

export const basicAuthorization = (user = CREDENTIALS.user, password = CREDENTIALS.password): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Signs in with the form, as a browser would (same-origin), and reads the CSRF token off the home page. */
export const signIn = async (baseUrl: string): Promise<HttpSession> => {
  const form = await fetch(`${baseUrl}/login`);
  const loginCookie = cookieOf(form, 'scheduler-login');
  const loginToken = /name="_login" value="([^"]+)"/.exec(await form.text())?.[1];
  if (loginToken === undefined) throw new Error('no sign-in token on the sign-in page');
  const response = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: loginCookie, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _login: loginToken, user: CREDENTIALS.user, password: CREDENTIALS.password, next: '/' }),
  });
  if (response.status !== 303) throw new Error(`sign-in answered ${response.status}`);
  const setCookie = setCookieOf(response, 'scheduler-session');
  const cookie = setCookie.split(';')[0]!;
  const home = await (await fetch(`${baseUrl}/`, { headers: { cookie } })).text();
  const csrfToken = /name="_csrf" value="([^"]+)"/.exec(home)?.[1];
  if (csrfToken === undefined) throw new Error('no CSRF token on the home page');
  return { cookie, setCookie, csrfToken };
};

/** A form POST of a signed-in session. */
export const postForm = (
  baseUrl: string,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string>,
): Promise<Response> =>
  fetch(`${baseUrl}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields),
  });
