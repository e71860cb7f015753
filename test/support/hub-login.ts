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

  get(name: string): string | undefined {
    return this.#values.get(name);
  }

  header(): string {
    return [...this.#values].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** What a browser sends to the hub's API in a login session: its cookies and the XSRF token. */
export interface LoginSession {
  readonly cookie: string;
  readonly 'x-xsrftoken': string;
}

/**
 * Logs USERNAME in at the hub whose pages are under hubUrl (e.g. http://127.0.0.1:8081/hub).
 * JupyterHub 4.1+ ties the form's _xsrf token to a cookie and to the client's address and
 * User-Agent, so both requests carry the same agent, and the GET says it is a page navigation
 * (the only kind of request the hub sets the cookie on). A hub just started has refused the
 * first form with 403 once in many runs (CI, 6.1.1): a refused form is fetched and sent afresh,
 * up to three times. Resolves with the session; throws, with the hub's last answer, unless the
 * hub accepted the login.
 */
export async function logInThroughForm(
  hubUrl: string,
  username: string,
  password = 'any-password',
): Promise<LoginSession> {
  let refusal = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const answer = await submitLoginForm(hubUrl, username, password);
    if (typeof answer !== 'string') return answer;
    refusal = answer;
    if (!answer.startsWith('403')) break;
  }
  throw new Error(`logging ${username} in at ${hubUrl} answered ${refusal}`);
}

/** One GET of the form and its POST; the session when the hub logged the user in, else its answer. */
async function submitLoginForm(
  hubUrl: string,
  username: string,
  password: string,
): Promise<LoginSession | string> {
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
  // Success is a redirect away from the form with the hub's login cookie; a refusal re-renders
  // the form (200 with an error) or answers 403 for a bad _xsrf.
  if (answer.status === 302 && jar.has('jupyterhub-hub-login')) {
    await answer.body?.cancel();
    return { cookie: jar.header(), 'x-xsrftoken': jar.get('_xsrf') ?? '' };
  }
  const text = await answer.text();
  const reason = /<p[^>]*>\s*([^<]{1,200})/.exec(text)?.[1]?.trim() ?? text.slice(0, 200);
  return `${answer.status} (${reason})`;
}
