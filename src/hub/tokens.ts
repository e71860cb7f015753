/**
 * A hub user's API tokens: issue one, list them, revoke one (JupyterHub's `/users/{name}/tokens`,
 * scope `tokens`). The value of an issued token is handed to the caller once and is in no error,
 * log line or metric: the hub's answer to an issue is parsed here and nowhere else.
 */
import { z } from 'zod';
import type { HubClient } from './client.ts';
import { HubError, nullIfNotFound } from './errors.ts';
import { callOptions, type CallOptions } from './request.ts';
import { userPath } from './paths.ts';

const tokenModelSchema = z.object({
  id: z.string(),
  note: z.string().nullish(),
  created: z.string().nullish(),
  expires_at: z.string().nullish(),
  scopes: z.array(z.string()).nullish(),
});

/** A token as the hub lists it, without its value. Times are epoch ms. */
export interface TokenModel {
  readonly id: string;
  readonly note: string;
  readonly createdAt: number | undefined;
  /** Undefined: it never expires. */
  readonly expiresAt: number | undefined;
  readonly scopes: readonly string[];
}

/** A token just issued: its value, to be written where it is needed and nowhere else. */
export interface IssuedToken extends TokenModel {
  readonly token: string;
}

export interface TokenRequest {
  readonly scopes?: readonly string[] | undefined;
  readonly expiresInSeconds?: number | undefined;
  readonly note: string;
}

const tokensPath = (user: string): string => `${userPath(user)}/tokens`;

export class TokensApi {
  readonly #client: HubClient;

  constructor(client: HubClient) {
    this.#client = client;
  }

  /**
   * Issues a token for `user`. HUB_INVALID with the hub's reason when it refuses the request
   * (scopes the user does not hold, a lifetime past the hub's maximum); never retried, so that
   * a lost answer cannot issue two: the caller finds an unrecorded token by its note.
   */
  async issue(
    user: string,
    request: TokenRequest,
    options: CallOptions = {},
  ): Promise<IssuedToken> {
    const response = await this.#client.send({
      method: 'POST',
      route: '/users/{name}/tokens',
      path: tokensPath(user),
      body: {
        note: request.note,
        ...(request.scopes ? { scopes: request.scopes } : {}),
        ...(request.expiresInSeconds !== undefined ? { expires_in: request.expiresInSeconds } : {}),
      },
      maxAttempts: 1,
      accept: 'application/json',
      ...callOptions(options),
    });
    // Parsed here, not by the client's schema check, whose errors could quote the answer.
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.text);
    } catch {
      parsed = undefined;
    }
    const model = tokenModelSchema.safeParse(parsed);
    const value = (parsed as { token?: unknown } | undefined)?.token;
    if (!model.success || typeof value !== 'string' || value === '')
      throw new HubError(
        'HUB_BAD_RESPONSE',
        'POST /users/{name}/tokens: the answer is not a token model with its token',
      );
    return { ...modelOf(model.data), token: value };
  }

  /** The user's tokens that have not expired, oldest first; [] when the user does not exist. */
  async list(user: string, options: CallOptions = {}): Promise<TokenModel[]> {
    const answer = await nullIfNotFound(
      this.#client.json(
        {
          method: 'GET',
          route: '/users/{name}/tokens',
          path: tokensPath(user),
          ...callOptions(options),
        },
        z.object({ api_tokens: z.array(tokenModelSchema) }),
      ),
    );
    return answer?.data.api_tokens.map(modelOf) ?? [];
  }

  /** Revokes one token; resolves also when it (or its user) is gone already. */
  async revoke(user: string, id: string, options: CallOptions = {}): Promise<void> {
    await nullIfNotFound(
      this.#client.send({
        method: 'DELETE',
        route: '/users/{name}/tokens/{id}',
        path: `${tokensPath(user)}/${encodeURIComponent(id)}`,
        idempotent: true,
        ...callOptions(options),
      }),
    );
  }
}

function modelOf(token: z.output<typeof tokenModelSchema>): TokenModel {
  return {
    id: token.id,
    note: token.note ?? '',
    createdAt: timeOf(token.created),
    expiresAt: timeOf(token.expires_at),
    scopes: token.scopes ?? [],
  };
}

/** The hub writes naive UTC times (no offset) on some versions. */
function timeOf(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`;
  const time = Date.parse(withZone);
  return Number.isNaN(time) ? undefined : time;
}
