import { Octokit } from "@octokit/rest";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import Bottleneck from "bottleneck";

const CadreOctokit = Octokit.plugin(throttling, retry);
export type GithubOctokit = InstanceType<typeof CadreOctokit>;

/** How often Cadre retries a request GitHub answered with a rate limit before giving up. */
const RATE_LIMIT_RETRIES = 3;

/** Unpaced groups: for GitHub Enterprise Server (rate limits off by default) and loopback test doubles. */
function unpacedGroups(id: string): Record<string, Bottleneck.Group> {
  return {
    write: new Bottleneck.Group({ id: `${id}-write`, maxConcurrent: 10 }),
    notifications: new Bottleneck.Group({ id: `${id}-notifications`, maxConcurrent: 10 }),
  };
}

/**
 * The REST client for one forge: @octokit/rest with GitHub's throttling plugin (it waits out
 * primary and secondary rate limits, retrying as GitHub's answer says) and the retry plugin
 * (server errors). `authorize` sets the Authorization header of every request.
 */
export function createOctokit(input: {
  forge: string;
  baseUrl: string;
  pacing: boolean;
  authorize: (headers: Record<string, unknown>) => Promise<void>;
  log: (line: string) => void;
}): GithubOctokit {
  const id = `cadre-forge-${input.forge}`;
  const octokit = new CadreOctokit({
    baseUrl: input.baseUrl.replace(/\/+$/, ""),
    userAgent: "cadre/0.1.0",
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (m: string) => input.log(m),
      error: (m: string) => input.log(m),
    },
    throttle: {
      id,
      ...(input.pacing ? {} : unpacedGroups(id)),
      onRateLimit: (
        retryAfter: number,
        options: { method: string; url: string },
        _client: unknown,
        retryCount: number,
      ) => {
        input.log(`forge ${input.forge}: rate limited on ${options.method} ${options.url}; retrying in ${retryAfter}s`);
        return retryCount < RATE_LIMIT_RETRIES;
      },
      onSecondaryRateLimit: (
        retryAfter: number,
        options: { method: string; url: string },
        _client: unknown,
        retryCount: number,
      ) => {
        input.log(
          `forge ${input.forge}: secondary rate limit on ${options.method} ${options.url}; retrying in ${retryAfter}s`,
        );
        return retryCount < RATE_LIMIT_RETRIES;
      },
    },
  });
  octokit.hook.before("request", async (options) => {
    await input.authorize(options.headers as Record<string, unknown>);
  });
  return octokit;
}
