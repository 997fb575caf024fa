import { graphql } from "../graphql.js";

export const SystemDocument = graphql(`
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
        quotaManagement
        securityScanner
        builds
        repoMirror
        proxyCache
      }
    }
  }
`);
