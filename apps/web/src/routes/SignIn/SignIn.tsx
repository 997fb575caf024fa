import { useState } from "react";
import { LoginForm, LoginMainFooterBandItem, LoginPage } from "@patternfly/react-core";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router-dom";
import { useLogin, useViewer } from "../../hooks/session";
import { useSystem } from "../../hooks/useSystem";
import { RoutePath } from "../paths";

/** Only same-site paths are followed after sign-in. */
export const safeNext = (next: string | null) =>
  next && next.startsWith("/") && !next.startsWith("//") ? next : RoutePath.Repositories;

export function SignIn() {
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const navigate = useNavigate();
  const { viewer } = useViewer();
  const { system } = useSystem();
  const login = useLogin();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (viewer) return <Navigate to={next} replace />;

  const submit = async (e: React.MouseEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username, password);
      navigate(next, { replace: true });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <LoginPage
      loginTitle="Sign in to Harbormaster"
      loginSubtitle={system ? `Registry ${system.serverHostname}` : undefined}
      signUpForAccountMessage={
        system?.features.userCreation ? (
          <LoginMainFooterBandItem>
            No account yet? <Link to={RoutePath.SignUp}>Create one</Link>
          </LoginMainFooterBandItem>
        ) : undefined
      }
    >
      <LoginForm
        showHelperText={!!error}
        helperText={error ?? undefined}
        usernameLabel="Username"
        usernameValue={username}
        onChangeUsername={(_e, v) => setUsername(v)}
        passwordLabel="Password"
        passwordValue={password}
        onChangePassword={(_e, v) => setPassword(v)}
        isValidUsername={!error}
        isValidPassword={!error}
        loginButtonLabel="Sign in"
        isLoginButtonDisabled={busy || !username || !password}
        onLoginButtonClick={submit}
      />
    </LoginPage>
  );
}
