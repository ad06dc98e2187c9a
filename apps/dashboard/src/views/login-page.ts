import { html, type Html } from './html';

export interface LoginPageInput {
  /** Double-submit token of the sign-in form (also in a cookie). */
  readonly loginToken: string;
  /** Where to go after signing in (a path of this site). */
  readonly next: string;
  readonly error: string | null;
}

export const loginPage = ({ loginToken, next, error }: LoginPageInput): Html => html`<form method="post" action="/login" class="login">
${error === null ? '' : html`<p class="problem" role="alert">${error}</p>`}
<input type="hidden" name="_login" value="${loginToken}">
<input type="hidden" name="next" value="${next}">
<label>User <input name="user" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit" class="primary">Sign in</button>
</form>`;
