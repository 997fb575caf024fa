// The one urql client of the console. Same-origin GraphQL with the session cookie; POST with a JSON body
// (Apollo's CSRF prevention accepts it) plus the preflight header for any GET urql might still send.
import { Client, cacheExchange, fetchExchange } from "urql";

export function createGraphQLClient(url = "/graphql"): Client {
  return new Client({
    url,
    exchanges: [cacheExchange, fetchExchange],
    preferGetMethod: false,
    // A console shows what is true now: cached data first, then the server's answer.
    requestPolicy: "cache-and-network",
    fetchOptions: { credentials: "same-origin", headers: { "apollo-require-preflight": "true" } },
  });
}
