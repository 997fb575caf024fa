import "@patternfly/react-core/dist/styles/base.css";
import "./console.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Provider } from "urql";
import { createGraphQLClient } from "./api/client";
import { App } from "./App";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Provider value={createGraphQLClient()}>
      <App />
    </Provider>
  </StrictMode>,
);
