import CallCoachCrypto
import CallCoachHTTP

/// The pages' one stylesheet and one script, served under names that carry their digest, so
/// browsers may keep them for a year and a new build is fetched at once.
enum WebAssets {
    struct Asset: Sendable {
        let path: String
        let contentType: String
        let body: [UInt8]

        init(name: String, suffix: String, contentType: String, text: String) {
            body = Array(text.utf8)
            let digest = SHA256.hash(body).prefix(8).map { String(format: "%02x", $0) }.joined()
            path = "/assets/\(name)-\(digest).\(suffix)"
            self.contentType = contentType
        }
    }

    static let stylesheet = Asset(name: "app", suffix: "css", contentType: "text/css; charset=utf-8", text: css)
    static let script = Asset(name: "app", suffix: "js", contentType: "text/javascript; charset=utf-8", text: js)
    static let icon = Asset(name: "icon", suffix: "svg", contentType: "image/svg+xml", text: iconSVG)
    static let all = [stylesheet, script, icon]

    /// One route for every asset, so the route table (and the matrix) does not change with them;
    /// a name that is not the current fingerprint answers 404.
    static func register(in router: inout Router) {
        let byPath = Dictionary(uniqueKeysWithValues: all.map { ($0.path, $0) })
        router.add(.get, "/assets/{name}", access: Access.anonymous, cache: .immutable) { request in
            guard let asset = byPath["/assets/" + (try request.parameter("name"))] else { throw HTTPError.notFound }
            return Response(status: 200, headers: ["Content-Type": asset.contentType], body: asset.body)
        }
    }

    static let iconSVG = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" \
        fill="#1d4ed8"/><path d="M8 20v-8M13 24V8M18 20v-8M23 17v-2" stroke="#fff" stroke-width="3" \
        stroke-linecap="round"/></svg>
        """

    static let css = """
        :root { --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --bg: #f5f7fa; --accent: #1d4ed8;
          --good: #047857; --bad: #b91c1c; --warn: #b45309; font-family: "DejaVu Sans", system-ui, sans-serif; }
        * { box-sizing: border-box; }
        body { margin: 0; color: var(--ink); background: var(--bg); font-size: 15px; line-height: 1.45; }
        a { color: var(--accent); }
        a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible,
        [tabindex]:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
        .skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px; }
        header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 12px 20px; padding: 10px 20px;
          background: #102a43; color: #fff; }
        header.top a { color: #fff; text-decoration: none; }
        header.top nav { display: flex; flex-wrap: wrap; gap: 4px 14px; }
        header.top nav a[aria-current="page"] { text-decoration: underline; text-underline-offset: 4px; }
        header.top .who { margin-left: auto; display: flex; gap: 10px; align-items: center; }
        header.top form { margin: 0; }
        .brand { font-weight: bold; font-size: 17px; }
        main { max-width: 1180px; margin: 0 auto; padding: 18px 20px 60px; }
        h1 { font-size: 24px; margin: 6px 0 16px; } h2 { font-size: 18px; margin: 0 0 10px; }
        section.card, .card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px;
          margin-bottom: 16px; }
        .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 16px; }
        .split { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; }
        @media (max-width: 900px) { .split { grid-template-columns: 1fr; } }
        .figure { font-size: 28px; font-weight: bold; } .muted { color: var(--muted); }
        table { width: 100%; border-collapse: collapse; } th, td { text-align: left; padding: 6px 8px;
          border-bottom: 1px solid var(--line); vertical-align: top; } th { font-size: 13px; color: var(--muted); }
        form.inline { display: inline-flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 0 6px 4px 0; }
        form.inline label { display: inline-flex; gap: 4px; align-items: center; }
        .status:empty { display: none; }
        form.stack label, .field { display: block; margin-bottom: 10px; }
        form.stack label > span, .field > span { display: block; font-size: 13px; color: var(--muted); }
        form.filters { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: end; }
        form.filters label > span { display: block; font-size: 12px; color: var(--muted); }
        input, select, textarea, button { font: inherit; }
        input[type=text], input[type=email], input[type=password], input[type=number], input[type=search],
        input[type=date], select, textarea { padding: 6px 8px; border: 1px solid #9fb3c8; border-radius: 6px;
          background: #fff; max-width: 100%; }
        form.stack input, form.stack select, form.stack textarea { width: 100%; }
        textarea { font-family: "DejaVu Sans Mono", monospace; font-size: 13px; }
        button { padding: 6px 14px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent);
          color: #fff; cursor: pointer; } button.secondary { background: #fff; color: var(--accent); }
        button.danger { background: #fff; color: var(--bad); border-color: var(--bad); }
        button:disabled { opacity: .6; cursor: wait; }
        .status { margin: 6px 0 0; min-height: 1em; } .status.error { color: var(--bad); } .status.ok { color: var(--good); }
        .sign { max-width: 420px; margin: 60px auto; }
        .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; background: #e4e7eb; }
        .badge.ready, .badge.low { background: #d1fae5; } .badge.failed, .badge.critical, .badge.high { background: #fee2e2; }
        .badge.medium { background: #fef3c7; }
        .pass { color: var(--good); } .fail { color: var(--bad); }
        #transcript { max-height: 420px; overflow-y: auto; }
        #transcript p { margin: 0 0 6px; padding: 4px 6px; border-radius: 6px; cursor: pointer; }
        #transcript p.current { background: #dbeafe; }
        #transcript .who { font-weight: bold; margin-right: 6px; }
        audio { width: 100%; }
        svg.chart { width: 100%; height: auto; max-height: 320px; display: block; }
        svg [data-seek] { cursor: pointer; }
        dl.metrics { display: grid; grid-template-columns: auto auto auto; gap: 4px 12px; margin: 0; }
        dl.metrics dt { color: var(--muted); } dl.metrics dd { margin: 0; }
        abbr[title] { text-decoration: underline dotted; cursor: help; }
        progress { width: 100%; height: 14px; }
        .qr img { width: 220px; height: 220px; image-rendering: pixelated; background: #fff; }
        ul.plain { list-style: none; padding: 0; margin: 0; } ul.plain li { padding: 4px 0; border-bottom: 1px solid var(--line); }
        .actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
        details > summary { cursor: pointer; color: var(--accent); }
        """

    static let js = #"""
        'use strict';
        (() => {
          const $ = (selector, root = document) => root.querySelector(selector);
          const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
          const fill = (template, data) =>
            template.replace(/\{(\w+)\}/g, (_, key) => encodeURIComponent(data[key] ?? ''));
          // Where to go after signing in: a page of this site only, however the address is spelled.
          const next = () => {
            const target = new URLSearchParams(location.search).get('next');
            if (!target) return '/';
            try {
              const url = new URL(target, location.origin);
              return url.origin === location.origin ? url.pathname + url.search + url.hash : '/';
            } catch (_) {
              return '/';
            }
          };

          function say(element, text, kind) {
            if (!element) return;
            element.textContent = text;
            element.className = 'status' + (kind ? ' ' + kind : '');
          }

          function valueOf(field) {
            const type = field.dataset.type || '';
            if (field.type === 'checkbox') return field.checked;
            if (field.type === 'select-multiple') return Array.from(field.selectedOptions, (option) => option.value);
            const raw = field.value;
            if (raw.trim() === '' && (field.dataset.optional !== undefined || type || field.tagName === 'SELECT')) {
              return undefined;
            }
            if (type === 'number') return Number(raw);
            if (type === 'json') return JSON.parse(raw);
            if (type === 'list') return raw.split(',').map((part) => part.trim()).filter(Boolean);
            if (type === 'date') return new Date(raw).toISOString();
            return raw;
          }

          // A field marked data-for="a b" is sent only while the form's data-switch field is a or b.
          const applies = (form, field) => {
            if (!field.dataset.for) return true;
            const chooser = form.elements[form.dataset.switch];
            return !chooser || field.dataset.for.split(' ').includes(chooser.value);
          };

          function payload(form) {
            const out = {};
            let named = false;
            for (const field of form.elements) {
              if (!field.name || field.disabled || !applies(form, field)) continue;
              named = true;
              let value;
              try {
                value = valueOf(field);
              } catch (error) {
                const label = field.labels && field.labels[0] ? field.labels[0].textContent.trim() : field.name;
                throw new Error(label + ': ' + error.message);
              }
              if (value === undefined) continue;
              const path = field.name.split('.');
              let target = out;
              while (path.length > 1) {
                const key = path.shift();
                target = target[key] = target[key] || {};
              }
              target[path[0]] = value;
            }
            return named ? out : undefined;
          }

          // The access cookie lasts an hour. A page left open renews it from the refresh cookie
          // shortly before it ends (the page says when), or once after a 401.
          const session = document.body.dataset;
          async function renew() {
            const response = await fetch('/api/v1/auth/refresh', { method: 'POST', credentials: 'same-origin' });
            if (!response.ok) return false;
            try {
              session.sessionExpires = Math.floor(Date.now() / 1000 + (await response.json()).expiresIn);
            } catch (_) {
              delete session.sessionExpires;
            }
            return true;
          }
          const fresh = async () => {
            const expires = Number(session.sessionExpires || 0);
            if (expires && Date.now() / 1000 > expires - 30) await renew();
          };
          const anonymous = (url) => /^\/api\/v1\/(auth\/(login|mfa|refresh|password-reset)|invitations\/)/.test(url);

          async function send(method, url, body) {
            const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
            if (body !== undefined) {
              init.headers['Content-Type'] = 'application/json';
              init.body = JSON.stringify(body);
            }
            if (!anonymous(url)) await fresh();
            let response = await fetch(url, init);
            if (response.status === 401 && !anonymous(url) && await renew()) {
              response = await fetch(url, init);
            }
            const text = await response.text();
            let data = {};
            try { data = text ? JSON.parse(text) : {}; } catch (_) { data = {}; }
            if (!response.ok) {
              const message = data.detail || data.title || 'The server answered ' + response.status + '.';
              throw new Error(message);
            }
            return data;
          }

          const after = {
            reload: () => location.reload(),
            go: (form, data) => location.assign(fill(form.dataset.go, data)),
            signin: (form, data) => {
              if (data.mfaRequired) {
                sessionStorage.setItem('mfaToken', data.mfaToken);
                location.assign('/sign-in/mfa' + location.search);
              } else {
                location.assign(next());
              }
            },
            signedin: () => {
              sessionStorage.removeItem('mfaToken');
              location.assign(next());
            },
            enrollment: (form, data) => {
              $('#qr').src = 'data:image/svg+xml;base64,' + btoa(data.qrCodeSVG);
              $('#secret').textContent = data.secret;
              $('#confirm').hidden = false;
              form.hidden = true;
              $('#code').focus();
            },
            recovery: (form, data) => {
              const list = $('#recovery-codes');
              list.replaceChildren(...data.recoveryCodes.map((code) => {
                const item = document.createElement('li');
                item.textContent = code;
                return item;
              }));
              $('#recovery').hidden = false;
              form.hidden = true;
            },
            show: (form, data) => {
              say(form.querySelector('.status'), form.dataset.message || 'Done.', 'ok');
              const target = form.dataset.show && $(form.dataset.show);
              if (target && data.link) { target.textContent = data.link; }
            },
          };

          document.addEventListener('submit', async (event) => {
            const form = event.target;
            if (!form.dataset.api) return;
            event.preventDefault();
            const status = form.querySelector('.status');
            const buttons = $$('button', form);
            buttons.forEach((button) => { button.disabled = true; });
            say(status, 'Working…');
            try {
              const body = form.dataset.nobody !== undefined ? undefined : payload(form);
              let url = form.dataset.api;
              if (form.dataset.memberPath !== undefined) url += encodeURIComponent($('[data-member]', form).value);
              if (form.dataset.policyPath !== undefined) url += encodeURIComponent($('[data-policy]', form).value);
              const data = await send(form.dataset.method || 'POST', url, body);
              say(status, '');
              (after[form.dataset.then || 'reload'] || after.reload)(form, data);
            } catch (error) {
              say(status, error.message, 'error');
            } finally {
              buttons.forEach((button) => { button.disabled = false; });
            }
          });

          // Secrets that e-mailed links carry after '#': read, then dropped from the address bar.
          const fragment = new URLSearchParams(location.hash.slice(1));
          for (const field of $$('[data-from-hash]')) field.value = fragment.get(field.dataset.fromHash) || '';
          if ($$('[data-from-hash]').length) history.replaceState(null, '', location.pathname + location.search);
          for (const field of $$('[data-from-session]')) {
            field.value = sessionStorage.getItem(field.dataset.fromSession) || '';
          }

          // Upload with a progress bar, then the processing status until the call is ready.
          const upload = $('#upload');
          if (upload) {
            upload.addEventListener('submit', async (event) => {
              event.preventDefault();
              const status = $('#upload-status');
              const file = $('#upload-file').files[0];
              if (!file) { say(status, 'Choose a recording first.', 'error'); return; }
              const metadata = {};
              for (const field of $$('[data-meta]', upload)) if (field.value) metadata[field.name] = field.value;
              const form = new FormData();
              form.append('metadata', new Blob([JSON.stringify(metadata)], { type: 'application/json' }));
              form.append('audio', file, file.name);
              const button = $('button[type=submit]', upload);
              const bar = $('#upload-progress');
              // One key for the attempt and its retry, so a retried upload is stored once.
              const key = crypto.randomUUID();
              const transfer = () => new Promise((resolve) => {
                const request = new XMLHttpRequest();
                request.upload.addEventListener('progress', (progress) => {
                  if (progress.lengthComputable) bar.value = Math.round(progress.loaded / progress.total * 100);
                });
                request.addEventListener('load', () => resolve(request));
                request.addEventListener('error', () => resolve(null));
                request.open('POST', upload.dataset.upload);
                request.setRequestHeader('Idempotency-Key', key);
                request.send(form);
              });
              button.disabled = true;
              say(status, 'Uploading…');
              await fresh();
              let request = await transfer();
              if (request && request.status === 401 && await renew()) request = await transfer();
              button.disabled = false;
              if (!request) { say(status, 'The upload failed; try again.', 'error'); return; }
              let body = {};
              try { body = JSON.parse(request.responseText); } catch (_) { body = {}; }
              if (request.status !== 202) {
                say(status, body.detail || 'The upload was refused (' + request.status + ').', 'error');
                return;
              }
              bar.value = 100;
              say(status, 'Uploaded. Processing…');
              watch(body.id);
            });
          }

          function watch(id) {
            const status = $('#processing-status');
            const bar = $('#processing-progress');
            const link = $('#processing-link');
            $('#processing').hidden = false;
            let failures = 0;
            const poll = async () => {
              try {
                const call = await send('GET', upload.dataset.upload + '/' + encodeURIComponent(id));
                bar.value = call.progress || 0;
                status.textContent = call.status;
                status.dataset.status = call.status;
                if (call.status === 'ready' || call.status === 'failed') {
                  link.href = upload.dataset.page + '/' + encodeURIComponent(id);
                  link.hidden = false;
                  if (call.status === 'failed') say($('#upload-status'), call.failure || 'Processing failed.', 'error');
                  return;
                }
                failures = 0;
              } catch (error) {
                say($('#upload-status'), error.message, 'error');
                // A refusal or a lost server: stop after a few tries rather than ask forever.
                if (++failures >= 5) return;
              }
              setTimeout(poll, failures ? 2000 * failures : 1000);
            };
            poll();
          }

          // The player: the transcript follows playback; transcript lines, evidence and timeline marks seek.
          const audio = $('#player');
          if (audio) {
            const lines = $$('#transcript [data-start]');
            let current = null;
            const follow = () => {
              const time = audio.currentTime;
              const line = lines.find((item) => time >= Number(item.dataset.start) && time < Number(item.dataset.end));
              if (line === current) return;
              if (current) { current.classList.remove('current'); current.removeAttribute('aria-current'); }
              current = line || null;
              if (current) {
                current.classList.add('current');
                current.setAttribute('aria-current', 'true');
                if (!audio.paused) current.scrollIntoView({ block: 'nearest' });
              }
            };
            const seek = (target) => {
              audio.currentTime = Number(target.dataset.seek);
              follow();
              const at = $('#comment-at');
              if (at) at.value = Number(target.dataset.seek).toFixed(1);
            };
            audio.addEventListener('timeupdate', follow);
            document.addEventListener('click', (event) => {
              const target = event.target.closest('[data-seek]');
              if (!target) return;
              event.preventDefault();
              seek(target);
            });
            document.addEventListener('keydown', (event) => {
              const target = event.target.closest && event.target.closest('[data-seek]');
              if (!target || (event.key !== 'Enter' && event.key !== ' ')) return;
              event.preventDefault();
              seek(target);
            });
            const now = $('#comment-now');
            if (now) now.addEventListener('click', () => { $('#comment-at').value = audio.currentTime.toFixed(1); });
          }
        })();
        """#
}
