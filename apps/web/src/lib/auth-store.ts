const KEY = "cadre.token";

/** The server token lives in localStorage so a reload or a new tab stays signed in. */
export function loadToken(): string | null {
  // A link such as http://host/#token=... signs in at once; the token is then removed from the address bar.
  const m = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (m?.[1]) {
    const token = decodeURIComponent(m[1]);
    saveToken(token);
    history.replaceState(null, "", window.location.pathname + window.location.search);
    return token;
  }
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string): void {
  localStorage.setItem(KEY, token);
}

export function clearToken(): void {
  localStorage.removeItem(KEY);
}
