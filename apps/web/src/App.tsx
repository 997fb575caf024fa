import { Masthead, MastheadBrand, MastheadMain, Page } from "@patternfly/react-core";
import { BrowserRouter, Route, Routes } from "react-router-dom";
import { Home } from "./routes/Home/Home";
import { RoutePath } from "./routes/paths";

export function App() {
  const masthead = (
    <Masthead>
      <MastheadMain>
        <MastheadBrand>Harbormaster</MastheadBrand>
      </MastheadMain>
    </Masthead>
  );
  return (
    <BrowserRouter>
      <Page masthead={masthead}>
        <Routes>
          <Route path={RoutePath.Home} element={<Home />} />
        </Routes>
      </Page>
    </BrowserRouter>
  );
}
