// The local inbox: where every mail goes while Dōi runs on this machine.
//
//   node tools/inbox/main.mjs HTTP_PORT SMTP_PORT
//
// HTTP on 127.0.0.1:HTTP_PORT: the inbox's pages at `/` (a recipient's view
// of each mail, with the one-click button a mail client offers), the
// Worker's confirmation-mail webhook (`cargo xtask dev` and `cargo xtask
// test` give the Worker DOI_WEBHOOK_URL=http://127.0.0.1:HTTP_PORT/hook),
// and the JSON the end-to-end tests read (see tools/inbox/http.mjs).
// SMTP on 127.0.0.1:SMTP_PORT, no TLS and no login, for a sender's own
// script (examples/). Port 0 picks a free one. Mails live in memory only.

import { serveHttp } from "./http.mjs";
import { serveSmtp } from "./smtp.mjs";

function port(text) {
  const value = Number(text ?? 0);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error("usage: node tools/inbox/main.mjs HTTP_PORT SMTP_PORT");
    process.exit(2);
  }
  return value;
}

const smtpPort = await serveSmtp(port(process.argv[3]));
const httpPort = await serveHttp(port(process.argv[2]), smtpPort);
console.log(`inbox: pages on http://127.0.0.1:${httpPort}/, SMTP on 127.0.0.1:${smtpPort}`);
