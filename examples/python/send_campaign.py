#!/usr/bin/env python3
"""Sending a campaign with Dōi from Python, standard library only.

Asks the Worker who may be mailed with ``POST /v1/prepare`` (docs/api.md),
then sends each of them the mail over SMTP (smtplib) with the
``List-Unsubscribe`` and ``List-Unsubscribe-Post`` headers (RFC 2369,
RFC 8058) and the footer the law asks for (sender, postal address, contact,
opt-out links).

    DOI_URL=http://127.0.0.1:8787 DOI_API_TOKEN=… SMTP_PORT=2525 \\
        python3 examples/python/send_campaign.py recipients.txt

recipients.txt: one address a line (a CSV's first column is read too).
Settings come from the environment, as for examples/node/send-campaign.mjs:
DOI_URL, DOI_API_TOKEN (required), DOI_LIST, DOI_TOPIC, DOI_LOCALE (ja|en),
SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASS, MAIL_FROM.
Exits 0 when every allowed recipient was sent their mail, 1 otherwise.
"""

import json
import os
import smtplib
import sys
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.policy import SMTP

# The most recipients one POST /v1/prepare takes (docs/api.md).
BATCH = 100

# Lines up to SMTP's limit of 998 characters: the List-Unsubscribe header
# (two URIs, about 250 characters) is then written as it is, never folded
# or encoded, which could break the URLs a mail client reads from it.
POLICY = SMTP.clone(max_line_length=998)

ENV = os.environ
DOI_URL = ENV.get("DOI_URL", "http://127.0.0.1:8787").rstrip("/")
LIST = ENV.get("DOI_LIST", "newsletter")
LOCALE = ENV.get("DOI_LOCALE", "ja")
FROM = ENV.get("MAIL_FROM", "Sample Trading <news@sample-shoji.example>")


def fail(message):
    print(f"send_campaign: {message}", file=sys.stderr)
    sys.exit(1)


def read_recipients(path):
    """The addresses of a file: one a line, or a CSV's first column."""
    with open(path, encoding="utf-8") as lines:
        addresses = (line.split(",")[0].strip() for line in lines)
        return [address for address in addresses if "@" in address]


def prepare(recipients):
    """One POST /v1/prepare: decisions, and links for those who may be mailed."""
    body = {"list": LIST, "locale": LOCALE, "recipients": recipients}
    if ENV.get("DOI_TOPIC"):
        body["topic"] = ENV["DOI_TOPIC"]
    request = urllib.request.Request(
        f"{DOI_URL}/v1/prepare",
        data=json.dumps(body).encode("utf-8"),
        headers={
            "authorization": f"Bearer {ENV['DOI_API_TOKEN']}",
            "content-type": "application/json",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)["results"]
    except urllib.error.HTTPError as error:
        fail(f"POST /v1/prepare answered {error.code}: {error.read().decode('utf-8', 'replace')}")


def message(result):
    """The campaign's own words, then Dōi's footer."""
    ja = LOCALE == "ja"
    words = (
        "いつもありがとうございます。今月のお知らせをお届けします。"
        if ja
        else "Thank you for reading. Here is this month's news."
    )
    mail = EmailMessage(policy=POLICY)
    mail["From"] = FROM
    mail["To"] = result["email"]
    mail["Subject"] = "今月のお知らせ（テスト配信）" if ja else "This month's news (a test send)"
    mail["List-Unsubscribe"] = result["list_unsubscribe"]
    mail["List-Unsubscribe-Post"] = result["list_unsubscribe_post"]
    mail.set_content(f"{words}\n\n{result['footer_text']}")
    mail.add_alternative(f"<p>{words}</p>{result['footer_html']}", subtype="html")
    return mail


def main():
    if len(sys.argv) != 2:
        fail("usage: python3 examples/python/send_campaign.py RECIPIENTS_FILE")
    if not ENV.get("DOI_API_TOKEN"):
        fail("set DOI_API_TOKEN to the sender API's token")
    recipients = read_recipients(sys.argv[1])
    sent, failed, skipped = 0, 0, {}
    host = ENV.get("SMTP_HOST", "127.0.0.1")
    with smtplib.SMTP(host, int(ENV.get("SMTP_PORT", "2525")), timeout=30) as smtp:
        if ENV.get("SMTP_USER"):
            smtp.starttls()
            smtp.login(ENV["SMTP_USER"], ENV.get("SMTP_PASS", ""))
        for start in range(0, len(recipients), BATCH):
            for result in prepare(recipients[start : start + BATCH]):
                if not result["allowed"]:
                    code = result["reason"]["code"]
                    skipped[code] = skipped.get(code, 0) + 1
                    continue
                try:
                    smtp.send_message(message(result))
                    sent += 1
                except smtplib.SMTPException as error:
                    failed += 1
                    print(f"send_campaign: a mail was not sent: {error}", file=sys.stderr)
    reasons = ", ".join(f"{n} {code}" for code, n in skipped.items()) or "none"
    print(f"sent {sent}, not sent {failed}, skipped {reasons}")
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()
