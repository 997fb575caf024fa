import { BrowserRouter, Navigate, Route, Routes } from "react-router-dom";
import { AppLayout } from "./layout/AppLayout";
import { ApiReference } from "./routes/ApiReference/ApiReference";
import { Explore } from "./routes/Explore/Explore";
import { OAuthAuthorize } from "./routes/OAuthAuthorize/OAuthAuthorize";
import { NotFound } from "./routes/NotFound/NotFound";
import { Organization } from "./routes/Organization/Organization";
import { Organizations } from "./routes/Organizations/Organizations";
import { RoutePath } from "./routes/paths";
import { Repositories } from "./routes/Repositories/Repositories";
import { Repository } from "./routes/Repository/Repository";
import { SignIn } from "./routes/SignIn/SignIn";
import { SignUp } from "./routes/SignUp/SignUp";
import { Superuser } from "./routes/Superuser/Superuser";
import { UserSettings } from "./routes/UserSettings/UserSettings";

export function App() {
  return (
    <BrowserRouter>
      <Routes>
        <Route path={RoutePath.SignIn} element={<SignIn />} />
        <Route path={RoutePath.SignUp} element={<SignUp />} />
        <Route path={RoutePath.OAuthAuthorize} element={<OAuthAuthorize />} />
        <Route element={<AppLayout />}>
          <Route path={RoutePath.Home} element={<Navigate to={RoutePath.Repositories} replace />} />
          <Route path={RoutePath.Repositories} element={<Repositories />} />
          <Route path={RoutePath.Organizations} element={<Organizations />} />
          <Route path={RoutePath.Organization} element={<Organization />} />
          <Route path={RoutePath.UserSettings} element={<UserSettings />} />
          <Route path={RoutePath.Superuser} element={<Superuser />} />
          <Route path="*" element={<NotFound />} />
        </Route>
        <Route element={<AppLayout allowAnonymous />}>
          <Route path={RoutePath.Explore} element={<Explore />} />
          <Route path={RoutePath.ApiReference} element={<ApiReference />} />
          <Route path={RoutePath.Repository} element={<Repository />} />
        </Route>
      </Routes>
    </BrowserRouter>
  );
}
