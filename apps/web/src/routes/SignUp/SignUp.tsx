import { useState } from "react";
import {
  ActionGroup,
  Button,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  LoginMainFooterBandItem,
  LoginPage,
  TextInput,
} from "@patternfly/react-core";
import { Link, Navigate, useNavigate } from "react-router-dom";
import { ErrorAlert, Loading } from "../../components/States";
import { useSignUp, useViewer } from "../../hooks/session";
import { useSystem } from "../../hooks/useSystem";
import { RoutePath } from "../paths";

export function SignUp() {
  const navigate = useNavigate();
  const { viewer } = useViewer();
  const { system } = useSystem();
  const signUp = useSignUp();
  const [username, setUsername] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (viewer) return <Navigate to={RoutePath.Repositories} replace />;
  if (!system) return <Loading />;
  const mismatch = repeat.length > 0 && repeat !== password;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signUp({ username, email, password });
      navigate(RoutePath.Repositories, { replace: true });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <LoginPage
      loginTitle="Create an account"
      signUpForAccountMessage={
        <LoginMainFooterBandItem>
          Already have an account? <Link to={RoutePath.SignIn}>Sign in</Link>
        </LoginMainFooterBandItem>
      }
    >
      {!system.features.userCreation ? (
        <ErrorAlert
          title="Sign-up is switched off"
          error="Ask an administrator to create an account for you."
        />
      ) : (
        <Form onSubmit={submit}>
          <ErrorAlert error={error} title="Could not create the account" />
          <FormGroup label="Username" isRequired fieldId="signup-username">
            <TextInput
              id="signup-username"
              isRequired
              value={username}
              onChange={(_e, v) => setUsername(v)}
              autoComplete="username"
            />
          </FormGroup>
          <FormGroup label="E-mail" isRequired fieldId="signup-email">
            <TextInput
              id="signup-email"
              type="email"
              isRequired
              value={email}
              onChange={(_e, v) => setEmail(v)}
              autoComplete="email"
            />
          </FormGroup>
          <FormGroup label="Password" isRequired fieldId="signup-password">
            <TextInput
              id="signup-password"
              type="password"
              isRequired
              value={password}
              onChange={(_e, v) => setPassword(v)}
              autoComplete="new-password"
            />
          </FormGroup>
          <FormGroup label="Repeat password" isRequired fieldId="signup-repeat">
            <TextInput
              id="signup-repeat"
              type="password"
              isRequired
              value={repeat}
              validated={mismatch ? "error" : "default"}
              onChange={(_e, v) => setRepeat(v)}
              autoComplete="new-password"
            />
            {mismatch && (
              <FormHelperText>
                <HelperText>
                  <HelperTextItem variant="error">The passwords differ.</HelperTextItem>
                </HelperText>
              </FormHelperText>
            )}
          </FormGroup>
          <ActionGroup>
            <Button
              type="submit"
              variant="primary"
              isBlock
              isLoading={busy}
              isDisabled={busy || !username || !email || !password || repeat !== password}
            >
              Create account
            </Button>
          </ActionGroup>
        </Form>
      )}
    </LoginPage>
  );
}
