/**
 * The invite link carries the candidate token in the URL fragment (`#token=…`), which
 * browsers never send to the server, so it stays out of server and proxy logs. The page
 * moves it to sessionStorage (it survives a reload of this tab, not the tab's closing) and
 * removes it from the address bar.
 */

const KEY = "interviewkit.token.";

export function takeToken(sessionId: string): string | null {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const fromLink = fragment.get("token");
  if (fromLink) {
    try {
      sessionStorage.setItem(KEY + sessionId, fromLink);
    } catch {
      // storage disabled: the token lives only in this page
    }
    history.replaceState(history.state, "", location.pathname + location.search);
    return fromLink;
  }
  try {
    return sessionStorage.getItem(KEY + sessionId);
  } catch {
    return null;
  }
}
