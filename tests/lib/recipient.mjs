// What a recipient's mail client does with the links in a mail, with no
// cookie and no login: the RFC 8058 one-click POST to the List-Unsubscribe URL.

/**
 * POSTs `List-Unsubscribe=One-Click` to `target` as a mail client does,
 * `multipart` (form-data) or `urlencoded`. Returns the Response, unread.
 */
export function oneClick(target, encoding = "urlencoded") {
  let body;
  if (encoding === "multipart") {
    body = new FormData();
    body.append("List-Unsubscribe", "One-Click");
  } else {
    body = new URLSearchParams({ "List-Unsubscribe": "One-Click" });
  }
  return fetch(target, { method: "POST", body, redirect: "manual", credentials: "omit" });
}
