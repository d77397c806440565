#!/usr/bin/env python3
"""The web application in a real browser: Debian's chromium, headless, driven by selenium.

Starts the built server (`.build/debug/callcoach`) on a fresh data directory with a real SMTP
server (scripts/smtp-test-server.py) and the installed whisper.cpp models, then walks the pages
as an administrator, an invited agent and a platform operator. Every page visited must record
no Content-Security-Policy violation and no console error; a screenshot of each is saved under
test-output/browser/ for review.

Run by `make test` through scripts/browser-tests; alone: python3 Tests/browser/test_web.py
"""
import base64
import email
import email.policy
import glob
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.path.join(ROOT, ".build", "debug", "callcoach")
# Under scripts/with-postgres the server runs on PostgreSQL, and its screenshots go apart.
POSTGRES = os.environ.get("CALLCOACH_TEST_POSTGRES_URL")
OUTPUT = os.path.join(ROOT, "test-output", "browser-postgres" if POSTGRES else "browser")
PASSWORD = "correct horse battery staple 7"
# Records every CSP violation of every document, before any page script runs.
VIOLATION_RECORDER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def totp(secret, at=None):
    """RFC 6238 with SHA-1, six digits, 30-second steps."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return "%06d" % (number % 1_000_000)


def run(*command, stdin=None, env=None):
    return subprocess.run(command, input=stdin, env=env, check=True, capture_output=True, text=True).stdout


def make_call(folder, name, agent_lines, customer_line):
    """A stereo recording: the agent on the left, the customer on the right, made with espeak-ng and sox."""
    parts = []
    for index, line in enumerate(agent_lines):
        raw = os.path.join(folder, "%s-a%d.wav" % (name, index))
        run("espeak-ng", "-v", "en-us", "-w", raw, line)
        parts.append(raw)
    customer = os.path.join(folder, name + "-c.wav")
    run("espeak-ng", "-v", "en-gb", "-w", customer, customer_line)
    resampled = []
    for raw in parts + [customer]:
        out = raw.replace(".wav", "-16k.wav")
        run("sox", raw, "-r", "16000", out)
        resampled.append(out)
    length = lambda path: float(run("soxi", "-D", path))
    first, second, said = resampled[0], resampled[1], resampled[2]
    gap = 1.0
    left = os.path.join(folder, name + "-left.wav")
    right = os.path.join(folder, name + "-right.wav")
    silence_for_customer = length(first) + gap
    left_first = os.path.join(folder, name + "-l1.wav")
    left_second = os.path.join(folder, name + "-l2.wav")
    run("sox", first, left_first, "pad", "0", str(length(said) + gap * 2 + length(second)))
    run("sox", second, left_second, "pad", str(silence_for_customer + length(said) + gap), "0")
    run("sox", "-m", left_first, left_second, left)
    run("sox", said, right, "pad", str(silence_for_customer), str(length(second) + gap))
    call = os.path.join(folder, name + ".wav")
    run("sox", "-M", left, right, call)
    return call


class WebApplicationTests(unittest.TestCase):
    """One server and one browser for the whole walk; the tests run in the order of their names."""

    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.mkdtemp(prefix="callcoach-browser-")
        shutil.rmtree(OUTPUT, ignore_errors=True)
        os.makedirs(OUTPUT)
        cls.shots = 0
        cls.state = {}
        cls.start_smtp()
        cls.start_server()
        cls.start_browser()

    @classmethod
    def tearDownClass(cls):
        for stop in (lambda: cls.browser.quit(), lambda: cls.server.terminate(), lambda: cls.smtp.stdin.close()):
            try:
                stop()
            except Exception:
                pass
        try:
            cls.server.wait(timeout=15)
            cls.smtp.wait(timeout=15)
        except Exception:
            pass
        shutil.rmtree(cls.scratch, ignore_errors=True)

    @classmethod
    def start_smtp(cls):
        cert, key = os.path.join(cls.scratch, "smtp.pem"), os.path.join(cls.scratch, "smtp.key")
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
        cls.maildir = os.path.join(cls.scratch, "mail")
        os.makedirs(cls.maildir)
        cls.smtp_port = free_port()
        cls.smtp_cert = cert
        cls.smtp = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "scripts", "smtp-test-server.py"), str(cls.smtp_port), cert, key,
             cls.maildir, "mailer", "mail-password-123"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert "ready" in cls.smtp.stdout.readline()

    @classmethod
    def start_server(cls):
        cls.port = free_port()
        cls.origin = "https://localhost:%d" % cls.port
        data = os.path.join(cls.scratch, "data")
        cls.env = dict(os.environ, CALLCOACH_DATA_DIR=data, CALLCOACH_LOG_LEVEL="warning",
                       CALLCOACH_SMTP_PASSWORD="mail-password-123")
        if POSTGRES:
            name = "callcoach_browser_%d" % os.getpid()
            run("psql", "-q", "-X", POSTGRES, "-c", "CREATE DATABASE " + name)
            owner = urllib.parse.urlsplit(POSTGRES)._replace(path="/" + name)
            server = owner._replace(netloc=owner.netloc.replace("postgres@", "callcoach_server@", 1))
            cls.env.update(CALLCOACH_DATABASE_URL=server.geturl(), CALLCOACH_DATABASE_OWNER_URL=owner.geturl())
        admin = run(BINARY, "admin", "create-company", "--name", "Acme Support", "--admin-email", "admin@acme.test",
                    "--password-stdin", stdin=PASSWORD + "\n", env=cls.env)
        cls.company = re.search(r"company (\S+) created", admin).group(1)
        run(BINARY, "admin", "create-company", "--name", "Platform Team", "--admin-email", "ops@platform.test",
            "--password-stdin", stdin=PASSWORD + "\n", env=cls.env)
        run(BINARY, "admin", "grant-operator", "--email", "ops@platform.test", env=cls.env)
        if POSTGRES:
            companies = run("psql", "-tA", "-X", cls.env["CALLCOACH_DATABASE_OWNER_URL"], "-c",
                            "SELECT count(*) FROM companies")
            assert companies.strip() == "2", "the companies are in PostgreSQL"
        cls.server_log = open(os.path.join(cls.scratch, "server.log"), "w")
        cls.server = subprocess.Popen(
            [BINARY, "serve", "--port", str(cls.port), "--admin-port", "off", "--workers", "1",
             "--public-url", cls.origin, "--smtp-url", "smtp://localhost:%d" % cls.smtp_port,
             "--smtp-username", "mailer", "--smtp-ca-file", cls.smtp_cert,
             "--mail-from", "CallCoach <no-reply@acme.test>"],
            env=cls.env, stdout=cls.server_log, stderr=subprocess.STDOUT)
        insecure = ssl.create_default_context()
        insecure.check_hostname = False
        insecure.verify_mode = ssl.CERT_NONE
        for _ in range(150):
            try:
                with urllib.request.urlopen(cls.origin + "/healthz", context=insecure, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except Exception:
                time.sleep(0.2)
        raise RuntimeError("the server did not start; see its log")

    @classmethod
    def start_browser(cls):
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--ignore-certificate-errors",
                         "--window-size=1366,1000", "--disable-gpu", "--mute-audio"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
        cls.browser = webdriver.Chrome(service=service, options=options)
        cls.browser.set_page_load_timeout(60)
        cls.browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": VIOLATION_RECORDER})

    # MARK: - Helpers

    def open(self, path):
        self.browser.get(self.origin + path)
        self.wait_for_document()

    def wait_for_document(self):
        WebDriverWait(self.browser, 30).until(
            lambda browser: browser.execute_script("return document.readyState") == "complete")

    def wait(self, condition, timeout=30, message=""):
        return WebDriverWait(self.browser, timeout).until(condition, message)

    def find(self, css):
        return self.browser.find_element(By.CSS_SELECTOR, css)

    def all(self, css):
        return self.browser.find_elements(By.CSS_SELECTOR, css)

    def check_page(self, name, allowed_errors=()):
        """No CSP violation and no console error on this page; then its screenshot."""
        violations = self.browser.execute_script("return window.__cspViolations || []")
        self.assertEqual(violations, [], "CSP violations on %s" % name)
        errors = [entry["message"] for entry in self.browser.get_log("browser")
                  if entry["level"] in ("SEVERE", "ERROR")
                  and not any(allowed in entry["message"] for allowed in allowed_errors)]
        self.assertEqual(errors, [], "console errors on %s" % name)
        type(self).shots += 1
        path = os.path.join(OUTPUT, "%02d-%s.png" % (self.shots, name))
        self.browser.execute_script("window.scrollTo(0, 0)")
        height = self.browser.execute_script("return document.documentElement.scrollHeight")
        self.browser.set_window_size(1366, min(max(height, 800), 4000))
        self.browser.save_screenshot(path)
        self.browser.set_window_size(1366, 1000)
        return path

    def submit(self, form_css, fields, then_url=None, then_css=None):
        form = self.find(form_css)
        for name, value in fields.items():
            field = form.find_element(By.NAME, name)
            if field.tag_name == "select":
                field.find_element(By.CSS_SELECTOR, "option[value='%s']" % value).click()
            else:
                field.clear()
                field.send_keys(value)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        if then_url:
            self.wait(lambda browser: re.search(then_url, browser.current_url), message="went to " + then_url)
        elif then_css:
            self.wait(ready.visibility_of_element_located((By.CSS_SELECTOR, then_css)))
        else:
            self.wait(lambda browser: self.finished(form), message="the form's request ended")
        self.wait_for_document()
        failed = [status.text for status in self.all(form_css + " .status.error") if status.text]
        self.assertEqual(failed, [], "the API refused the form " + form_css)

    @staticmethod
    def finished(form):
        """The page reloaded after the form's request, or the form says how it went."""
        try:
            return form.find_element(By.CSS_SELECTOR, ".status").text not in ("", "Working…")
        except WebDriverException:
            # Stale, or detached while being read: the page was replaced.
            return True

    def sign_in(self, address, password=PASSWORD, code=None, next_path=None):
        self.open("/sign-in" + ("?next=" + urllib.parse.quote(next_path, safe="") if next_path else ""))
        self.submit("form[data-api='/api/v1/auth/login']", {"email": address, "password": password},
                    then_url=r"/sign-in/mfa|/companies/|/platform|/account")
        if code is not None:
            self.assertIn("/sign-in/mfa", self.browser.current_url)
            self.check_page("mfa-challenge")
            self.submit("form[data-api='/api/v1/auth/mfa']", {"code": code()}, then_url=r"/companies/")

    def admin_code(self):
        """A code of a step not used yet: each step is accepted once, and one step ahead is accepted."""
        step = max(int(time.time() // 30), self.state["step"] + 1)
        while step > int(time.time() // 30) + 1:
            time.sleep(1)
        self.state["step"] = step
        return totp(self.state["secret"], step * 30)

    def sign_out(self):
        self.find("header form[data-api='/api/v1/auth/logout'] button").click()
        self.wait(lambda browser: browser.current_url.endswith("/sign-in"))

    def mail_to(self, address, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for path in sorted(glob.glob(os.path.join(self.maildir, "*.eml"))):
                with open(path, "rb") as handle:
                    message = email.message_from_binary_file(handle, policy=email.policy.default)
                if address in message.get("X-Envelope-To", ""):
                    part = message.get_body(preferencelist=("plain", "html"))
                    return part.get_content()
            time.sleep(0.3)
        self.fail("no mail reached %s" % address)

    @property
    def company_path(self):
        return "/companies/" + self.company

    # MARK: - The walk

    def test_01_sign_in_pages_render_without_violations(self):
        self.open("/sign-in")
        self.check_page("sign-in")
        self.open("/password-reset")
        self.check_page("password-reset")
        self.open("/reset-password")
        self.check_page("reset-password")
        self.open("/invitations/accept")
        self.check_page("invitation-acceptance")
        self.open(self.company_path + "/calls")
        self.assertIn("/sign-in?next=", self.browser.current_url, "a signed-out visitor is sent to sign in")

    def test_02_admin_enrols_in_mfa_and_signs_in_with_it(self):
        self.sign_in("admin@acme.test")
        self.assertIn(self.company_path, self.browser.current_url)
        self.check_page("admin-dashboard-empty")
        self.open("/account/mfa")
        self.find("form[data-api='/api/v1/me/mfa/totp'] button").click()
        self.wait(ready.visibility_of_element_located((By.ID, "confirm")))
        secret = self.find("#secret").text
        self.assertRegex(secret, r"^[A-Z2-7]{16,}$")
        self.assertTrue(self.browser.execute_script("return document.getElementById('qr').naturalWidth > 0"),
                        "the QR code image loads")
        self.check_page("mfa-enrolment")
        self.submit("form[data-api='/api/v1/me/mfa/totp/confirm']", {"code": totp(secret)}, then_css="#recovery")
        self.assertGreaterEqual(len(self.all("#recovery-codes li")), 8, "recovery codes are shown")
        self.check_page("mfa-recovery-codes")
        self.state["secret"] = secret
        self.state["step"] = int(time.time() // 30)
        self.sign_out()
        self.sign_in("admin@acme.test", code=self.admin_code)
        self.assertIn(self.company_path, self.browser.current_url)
        self.open("/account")
        self.assertIn("is on", self.find("main").text)
        self.check_page("account")

    def test_03_admin_builds_the_team_and_invites_agents(self):
        self.open(self.company_path + "/scorecards")
        self.submit("form[aria-label='New scorecard from a template']", {"template": "customer-support-qa"},
                    then_url=r"/scorecards/[0-9a-f-]{36}$")
        self.assertIn("Customer support QA", self.find("h1").text)
        self.assertIn("Did the agent greet the customer", self.find("main").text, "the questions are outlined")
        self.submit("form[aria-label='Edit the scorecard']", {})
        self.assertIn("Version 2", self.find("main").text, "the definition round-trips through the editor")
        self.check_page("scorecard-editor")
        self.open(self.company_path + "/scorecards")
        self.check_page("scorecards")
        self.open(self.company_path + "/people")
        self.submit("form[aria-label='New team']", {"name": "Support"})
        self.wait(lambda browser: "Support" in browser.find_element(By.CSS_SELECTOR, "main").text)
        for address, role in (("agent.one@acme.test", "agent"), ("agent.two@acme.test", "agent"),
                              ("manager@acme.test", "manager")):
            self.open(self.company_path + "/people")
            self.submit("form[aria-label='Invite someone']", {"email": address, "role": role})
            self.assertIn("on its way", self.find("form[aria-label='Invite someone'] .status").text)
        self.check_page("people")

    def test_04_an_invited_agent_accepts_and_signs_in(self):
        self.sign_out()
        for address, name in (("agent.one@acme.test", "Agent One"), ("agent.two@acme.test", "Agent Two"),
                              ("manager@acme.test", "Morgan Manager")):
            text = self.mail_to(address)
            link = re.search(r"https://localhost:\d+/invitations/accept#token=[A-Za-z0-9_\-]+", text)
            self.assertIsNotNone(link, "the invitation carries its link")
            self.browser.get(link.group(0))
            self.wait_for_document()
            self.assertNotIn("token=", self.browser.current_url, "the token leaves the address bar")
            if name == "Agent One":
                self.check_page("invitation-accept-form")
            self.submit("form[data-api='/api/v1/invitations/accept']", {"displayName": name, "password": PASSWORD},
                        then_url=r"/companies/")
            self.assertIn("Your teams" if name == "Morgan Manager" else "Your calls", self.find("h1").text)
            self.sign_out()
        self.sign_in("agent.one@acme.test")
        self.assertIn(self.company_path, self.browser.current_url, "the new agent signs in with their password")
        self.check_page("agent-dashboard-empty")
        self.sign_out()

    def test_05_admin_uploads_calls_and_watches_them_get_ready(self):
        self.sign_in("admin@acme.test", code=self.admin_code)
        self.open(self.company_path + "/people")
        for agent in ("Agent One", "Agent Two", "Morgan Manager"):
            form = self.find("form[aria-label='Add to Support']")
            for option in form.find_elements(By.CSS_SELECTOR, "select[data-member] option"):
                if option.text == agent:
                    option.click()
            form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            self.wait(lambda browser: self.finished(form), message="the agent joins the team")
            self.wait_for_document()
        team = self.find("main .grid:last-of-type section.card").text
        self.assertIn("Agent One", team)
        self.assertIn("Agent Two", team)
        self.check_page("people-with-team")
        calls = [
            ("agent-one", "Agent One", ["Thank you for calling Acme, my name is Sam. This call may be recorded. How can I help you today?",
                                        "I am sorry about that. I have sent the refund. Is there anything else?"],
             "My card was charged twice last week and I would like a refund please."),
            ("agent-two", "Agent Two", ["Hello, this is Alex. What do you need?", "Fine. Anything else?"],
             "I want to cancel my subscription today."),
        ]
        self.state["calls"] = {}
        for name, agent, lines, customer in calls:
            recording = make_call(self.scratch, name, lines, customer)
            self.open(self.company_path + "/calls")
            form = self.find("#upload")
            form.find_element(By.ID, "upload-file").send_keys(recording)
            select = form.find_element(By.NAME, "agentId")
            for option in select.find_elements(By.TAG_NAME, "option"):
                if option.text == agent:
                    option.click()
            form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            self.wait(lambda browser: browser.find_element(By.ID, "processing-status").get_attribute(
                "data-status") in ("ready", "failed"), timeout=240, message="the call is processed")
            self.assertEqual(self.find("#processing-status").text, "ready")
            self.assertEqual(self.find("#upload-progress").get_attribute("value"), "100")
            if name == "agent-one":
                self.check_page("upload-ready")
            link = self.find("#processing-link").get_attribute("href")
            self.state["calls"][name] = link.split(self.origin, 1)[1]
        self.open(self.company_path + "/calls")
        self.assertEqual(len(self.all("main table tbody tr")), 2)
        self.check_page("calls")
        self.open(self.company_path + "/calls?q=refund")
        self.assertEqual(len(self.all("main table tbody tr")), 1, "the search finds the call that said it")
        self.check_page("calls-search")

    def test_06_evidence_moves_the_player_and_the_admin_overrides(self):
        self.open(self.state["calls"]["agent-one"])
        player = self.find("#player")
        self.wait(lambda browser: browser.execute_script("return arguments[0].readyState >= 1", player),
                  message="the recording's metadata loads")
        links = self.all("a.evidence")
        self.assertTrue(links, "the scorecard shows evidence links")
        target = max(links, key=lambda link: float(link.get_attribute("data-seek")))
        moment = float(target.get_attribute("data-seek"))
        self.assertGreater(moment, 1.0)
        before = self.browser.execute_script("return arguments[0].currentTime", player)
        target.click()
        self.wait(lambda browser: abs(browser.execute_script("return arguments[0].currentTime", player) - moment) < 0.3,
                  message="the player moved to the evidence")
        self.assertNotAlmostEqual(before, moment, places=1)
        line = self.find("#transcript p.current")
        self.assertTrue(line.is_displayed(), "the transcript marks the line being played")
        self.assertTrue(self.all("svg rect[data-seek]"), "the timeline shows who spoke when")
        self.assertTrue(self.all("dl.metrics abbr[title]"), "metrics carry their formulas")
        self.check_page("call-detail-admin")
        # The keyboard alone: focus the second transcript line and press Enter.
        second = self.all("#transcript p")[1]
        self.browser.execute_script("arguments[0].focus()", second)
        second.send_keys(Keys.ENTER)
        start = float(second.get_attribute("data-start"))
        self.wait(lambda browser: abs(browser.execute_script("return arguments[0].currentTime", player) - start) < 0.3,
                  message="Enter on a transcript line seeks to it")
        # A comment at the player's position, an hour later: the access cookie has gone and the
        # page's session has ended, so the script renews it from the refresh cookie first.
        self.assertGreater(int(self.find("body").get_attribute("data-session-expires")), time.time())
        self.browser.delete_cookie("__Host-callcoach_access")
        self.browser.execute_script("document.body.dataset.sessionExpires = '1'")
        self.assertIsNone(self.browser.get_cookie("__Host-callcoach_access"))
        self.find("#comment-now").click()
        self.assertEqual(self.find("#comment-at").get_attribute("value"), "%.1f" % start)
        self.submit("form[aria-label='Add a comment']", {"text": "Good question to open with"})
        self.wait(lambda browser: "Good question to open with" in browser.find_element(By.CSS_SELECTOR, "main").text)
        self.assertIsNotNone(self.browser.get_cookie("__Host-callcoach_access"), "the session was renewed")
        self.browser.set_window_size(820, 1180)
        self.browser.execute_script("window.scrollTo(0, 0)")
        self.browser.save_screenshot(os.path.join(OUTPUT, "tablet-call-detail.png"))
        width = self.browser.execute_script("return document.documentElement.scrollWidth")
        self.assertLessEqual(width, 820, "no sideways scrolling on a tablet")
        self.browser.set_window_size(1366, 1000)
        self.find("details:has([data-action=override]) summary").click()
        self.submit("[data-action=override]", {"criterionId": "listening", "value": "yes", "reason": "The customer had room"})
        self.wait(lambda browser: "Changed by a reviewer" in browser.find_element(By.CSS_SELECTOR, "main").text)
        self.check_page("call-detail-overridden")
        self.find("details:has([data-action=coach]) summary").click()
        coach = self.find("[data-action=coach]")
        coach.find_element(By.CSS_SELECTOR, "option[value='empathy']").click()
        self.submit("[data-action=coach]", {"note": "Lead with the apology"})
        self.open(self.company_path)
        self.assertIn("Lead with the apology", self.find("main").text, "the assignment is on the dashboard")
        # The call whose agent never said it is recorded: its finding is listed and marked on the timeline.
        self.open(self.state["calls"]["agent-two"])
        self.assertIn("No recording disclosure", self.find("main").text)
        self.assertTrue(self.all("svg g.mark.finding"), "the finding is marked on the timeline")

    def test_07_every_admin_page_renders(self):
        self.open(self.company_path + "/compliance")
        form = self.find("form[aria-label='Add your own pack']")
        form.find_element(By.NAME, "definition").send_keys(json.dumps({
            "id": "house-rules", "name": "House rules", "rules": [{
                "id": "no-slang", "title": "Slang on a call", "regulation": "Company policy 4.2", "severity": "low",
                "when": {"phrase": "dude"}}]}))
        self.submit("form[aria-label='Add your own pack']", {})
        self.wait(lambda browser: "House rules" in browser.find_element(By.CSS_SELECTOR, "main").text)
        for path, name in (("", "admin-dashboard"), ("/compliance", "compliance"), ("/audit-log", "audit-log"),
                           ("/settings", "settings")):
            self.open(self.company_path + path)
            self.assertNotIn("Not allowed", self.find("h1").text)
            self.check_page(name)
        self.open(self.company_path + "/settings")
        self.submit("form[aria-label='Grant support access']",
                    {"operatorEmail": "ops@platform.test", "hours": "2", "reason": "Ticket 4711: playback question"})
        self.assertIn("Ticket 4711", self.find("main").text)
        # The fields a transcriber takes no part in are left out, whatever they still hold.
        for transcriber in ("none", "whisper"):
            self.submit("form[aria-label='AI configuration']", {"transcriber": transcriber})
            self.assertEqual(self.find("form[aria-label='AI configuration'] select[name=transcriber]")
                             .get_attribute("value"), transcriber)
        self.submit("form[aria-label='Notification policy']", {"findingSeverity": "critical"})
        self.assertEqual(self.find("form[aria-label='Notification policy'] .status").text, "Saved.")
        self.check_page("settings-with-support-grant")
        self.open(self.company_path + "/audit-log?action=evaluation.overridden")
        rows = self.all("main table tbody tr")
        self.assertTrue(rows and all("evaluation.overridden" in row.text for row in rows), "the audit filter works")
        self.check_page("audit-log-filtered")

    def test_08_an_agent_sees_no_override_and_no_one_elses_call(self):
        self.sign_out()
        # A crafted next= that a browser would read as another host is ignored.
        self.sign_in("agent.one@acme.test", next_path="/\\evil.example/")
        self.assertTrue(self.browser.current_url.startswith(self.origin + "/companies/"), self.browser.current_url)
        self.sign_out()
        self.sign_in("agent.one@acme.test", next_path="/\t/evil.example/")
        self.assertTrue(self.browser.current_url.startswith(self.origin + "/"), self.browser.current_url)
        self.assertIn("Lead with the apology", self.find("main").text, "the agent sees their coaching")
        self.assertTrue(self.all("svg.chart circle"), "the agent's score trend is drawn")
        self.check_page("agent-dashboard")
        self.open(self.state["calls"]["agent-one"])
        self.assertEqual(self.all("[data-action=override]"), [], "an agent has no override form")
        self.assertNotIn("Override an answer", self.find("main").text)
        self.assertTrue(self.all("[data-action=dispute]"), "an agent may dispute their own evaluation")
        self.check_page("call-detail-agent")
        self.open(self.company_path + "/calls")
        self.assertEqual(len(self.all("main table tbody tr")), 1, "an agent lists only their own calls")
        self.assertEqual(self.all("#upload"), [], "an agent is not offered the upload")
        self.check_page("calls-agent")
        self.open(self.state["calls"]["agent-two"])
        self.assertEqual(self.find("h1").text, "Not found")
        self.assertEqual(self.all("#player"), [])
        self.check_page("call-of-another-agent", allowed_errors=("404",))
        self.open(self.company_path + "/audit-log")
        self.assertEqual(self.find("h1").text, "Not allowed")
        self.check_page("audit-log-agent", allowed_errors=("403",))
        nav = self.find("header nav").text
        self.assertNotIn("Audit log", nav)
        self.assertNotIn("Settings", nav)
        # The team's manager: the team against its average, and the override on their agent's call.
        self.sign_out()
        self.sign_in("manager@acme.test")
        self.assertEqual(self.find("h1").text, "Your teams")
        self.assertIn("Agents against their team", self.find("main").text)
        self.assertTrue(self.all("svg.chart rect"), "each agent's bar against the team average")
        self.check_page("manager-dashboard")
        self.open(self.state["calls"]["agent-one"])
        self.assertTrue(self.all("[data-action=override]"), "a manager may override on their team's calls")
        self.assertTrue(self.all("[data-action=coach]"))
        self.check_page("call-detail-manager")

    def test_09_the_operator_console(self):
        self.sign_out()
        self.sign_in("ops@platform.test")
        self.open("/platform")
        text = self.find("main").text
        self.assertIn("Acme Support", text)
        self.assertIn("Rate limits", text)
        form = self.find("#override-limit")
        form.find_element(By.CSS_SELECTOR, "select[data-policy] option[value='public-demo']").click()
        self.submit("#override-limit", {"maxRequests": "25", "windowSeconds": "60"})
        self.assertIn("25 per 60 s everywhere", self.find("main").text)
        self.check_page("platform-console")
        self.open(self.company_path + "/calls")
        self.assertEqual(len(self.all("main table tbody tr")), 2, "under the grant the operator reads the calls")
        self.assertEqual(self.all("#upload"), [], "a grant reads; it uploads nothing")
        self.check_page("operator-under-support-grant")
        self.open(self.state["calls"]["agent-one"])
        self.assertEqual(self.all("[data-action=override]"), [], "a grant changes no score")
        self.assertEqual(self.all("[data-action=coach]"), [])
        self.open("/companies/00000000-0000-0000-0000-000000000000")
        self.assertEqual(self.find("h1").text, "Not found")
        self.check_page("operator-unknown-company", allowed_errors=("404",))


if __name__ == "__main__":
    unittest.main(verbosity=2)
