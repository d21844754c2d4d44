// The inbox's SMTP side: smtp-server on 127.0.0.1, no TLS and no login (it
// is a local stand-in for a mail provider's submission server), every
// message parsed into the inbox. A message is bounded in size.

import { SMTPServer } from "smtp-server";
import { addRaw } from "./mails.mjs";

/** The largest message accepted, in bytes. */
const MAX_MESSAGE = 5 * 1024 * 1024;

/** Starts SMTP on 127.0.0.1:`port` (0: any free port); resolves to the port. */
export function serveSmtp(port) {
  const server = new SMTPServer({
    name: "doi-inbox.localhost",
    banner: "Dōi local inbox",
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    size: MAX_MESSAGE,
    logger: false,
    onData(stream, session, callback) {
      const chunks = [];
      let size = 0;
      stream.on("data", (chunk) => {
        size += chunk.length;
        if (size <= MAX_MESSAGE) chunks.push(chunk);
      });
      stream.on("end", () => {
        if (stream.sizeExceeded || size > MAX_MESSAGE) {
          const error = new Error("message too large for the local inbox");
          error.responseCode = 552;
          callback(error);
          return;
        }
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        addRaw(Buffer.concat(chunks), envelope).then(
          (mail) => callback(null, `kept as mail ${mail.id}`),
          (error) => callback(error),
        );
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server.server.address().port));
  });
}
