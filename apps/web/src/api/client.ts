// The one urql client of the console. Same-origin GraphQL with the session cookie; POST with a JSON body
// (Apollo's CSRF prevention accepts it) plus the preflight header for any GET urql might still send.
// Subscriptions (a build's live log) go over graphql-ws on the same path; the socket opens on the first
// subscription only and reconnects after a drop.
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from "urql";
import { createClient as createWsClient } from "graphql-ws";

/** ws(s)://<this host><path> for an absolute or same-origin GraphQL URL. */
function socketUrl(url: string): string {
  const u = new URL(url, window.location.href);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  return u.toString();
}

export function createGraphQLClient(url = "/graphql"): Client {
  const ws = createWsClient({
    url: socketUrl(url),
    lazy: true,
    // A dropped socket (a restart, a proxy's idle timeout) is reopened; live subscriptions resume on it.
    retryAttempts: 10,
    shouldRetry: () => true,
  });
  return new Client({
    url,
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || "" };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
    preferGetMethod: false,
    // A console shows what is true now: cached data first, then the server's answer.
    requestPolicy: "cache-and-network",
    fetchOptions: { credentials: "same-origin", headers: { "apollo-require-preflight": "true" } },
  });
}
