// Typed GraphQL documents for clients (the console, the e2e fixtures, scripts). Each document's result and
// variable types come from schema.graphql through gql.tada; a test validates them against the schema too.
import * as system from "./documents/system.js";

export * from "./graphql.js";
export * from "./documents/system.js";

/** Every document, for the drift test that validates them against the schema. */
export const ALL_DOCUMENTS = { ...system };
