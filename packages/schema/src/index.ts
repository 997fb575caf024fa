// Typed GraphQL documents for clients (the console and scripts), checked against schema.graphql by a test.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { parse } from "graphql";

const doc = <R, V = Record<string, never>>(source: string) =>
  parse(source) as unknown as TypedDocumentNode<R, V>;

export interface SystemInfo {
  title: string;
  serverHostname: string;
  version: string;
  tagExpirationOptions: string[];
  features: { userCreation: boolean; generalOciSupport: boolean; robotsAllowed: boolean };
}

export const SystemDocument = doc<{ system: SystemInfo }>(/* GraphQL */ `
  query System {
    system {
      title
      serverHostname
      version
      tagExpirationOptions
      features {
        userCreation
        generalOciSupport
        robotsAllowed
      }
    }
  }
`);

/** Every document, for the drift test that validates them against the schema. */
export const ALL_DOCUMENTS = { SystemDocument };
