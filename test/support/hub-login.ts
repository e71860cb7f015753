/**
 * Logging in to a real JupyterHub through its login form, as a browser does, so that the hub runs
 * its authenticator (and, with manage_groups, resets the user's groups from what it returns).
 * The REST API cannot do this: creating a user there never calls the authenticator.
 */

/** A browser's cookies for one host: a name keeps its latest value, whatever the path. */
class CookieJar {
  readonly #values = new Map<string, string>();

  remember(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const pair = header.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq > 0) this.#values.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  header(): string {
    return [...this.#values].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/**
 * Logs USERNAME in at the hub whose pages are under hubUrl (e.g. http://127.0.0.1:8081/hub).
 * JupyterHub 4.1+ ties the form's _xsrf token to a cookie and to the client's address and
 * User-Agent, so both requests carry the same agent, and the GET says it is a page navigation
 * (the only kind of request the hub sets the cookie on). Throws unless the hub accepted the login.
 */
export async function logInThroughForm(
  hubUrl: string,
  username: string,
  password = 'any-password',
): Promise<void> {
  const jar = new CookieJar();
  const browser = { 'User-Agent': 'hubops-tests', 'Sec-Fetch-Mode': 'navigate' };
  const page = await fetch(`${hubUrl}/login`, { headers: browser, redirect: 'manual' });
  jar.remember(page);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`GET ${hubUrl}/login answered ${page.status}`);
  const xsrf = /name="_xsrf"\s+value="([^"]+)"/.exec(html)?.[1];
  if (xsrf === undefined) throw new Error(`the login page of ${hubUrl} has no _xsrf field`);

  const form = new URLSearchParams({ username, password, _xsrf: xsrf });
  const answer = await fetch(`${hubUrl}/login`, {
    method: 'POST',
    headers: {
      ...browser,
      'Sec-Fetch-Site': 'same-origin',
      'Content-Type': 'application/x-www-form-urlencoded',
      Cookie: jar.header(),
    },
    body: form.toString(),
    redirect: 'manual',
  });
  jar.remember(answer);
  await answer.body?.cancel();
  // Success is a redirect away from the form with the hub's login cookie; a refusal re-renders
  // the form (200 with an error) or answers 403 for a bad _xsrf.
  if (answer.status !== 302 || !jar.has('jupyterhub-hub-login')) {
    throw new Error(`logging ${username} in at ${hubUrl} answered ${answer.status}`);
  }
}
