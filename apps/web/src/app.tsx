import { useCallback, useState } from "react";
import { clearToken, loadToken, saveToken } from "./lib/auth-store.ts";
import { ApiProvider } from "./lib/api-context.tsx";
import { SignIn } from "./components/sign-in.tsx";
import { Shell } from "./components/shell.tsx";

export function App() {
  const [token, setToken] = useState<string | null>(() => loadToken());
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback((message?: string) => {
    clearToken();
    setToken(null);
    setNotice(message ?? null);
  }, []);

  if (!token) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(t) => {
          saveToken(t);
          setNotice(null);
          setToken(t);
        }}
      />
    );
  }
  return (
    <ApiProvider token={token} onSignOut={signOut}>
      <Shell />
    </ApiProvider>
  );
}
