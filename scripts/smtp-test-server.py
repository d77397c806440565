#!/usr/bin/env python3
"""A real SMTP server for the test suite: STARTTLS required, AUTH required after TLS.

Usage: smtp-test-server.py PORT CERT KEY MAILDIR USER PASSWORD
Prints "ready" once listening; stops when standard input closes. Each message is written to
MAILDIR as N.eml, preceded by its envelope sender and recipients.
"""
import os
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, cert, key, maildir, user, password = sys.argv[1:7]


class Handler:
    async def handle_DATA(self, server, session, envelope):
        name = os.path.join(maildir, "%d.eml" % len(os.listdir(maildir)))
        with open(name, "wb") as handle:
            handle.write(("X-Envelope-From: %s\r\nX-Envelope-To: %s\r\nX-Authenticated: %s\r\nX-TLS: %s\r\n" % (
                envelope.mail_from, ",".join(envelope.rcpt_tos), session.authenticated,
                session.ssl is not None)).encode())
            handle.write(envelope.original_content)
        return "250 Message accepted"


def authenticate(server, session, envelope, mechanism, auth_data):
    accepted = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
                and auth_data.password == password.encode())
    return AuthResult(success=accepted, handled=False)


context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
controller = Controller(
    Handler(), hostname="127.0.0.1", port=int(port), tls_context=context, require_starttls=True,
    auth_require_tls=True, auth_required=True, authenticator=authenticate)
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
