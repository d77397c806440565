import CallCoachHTTP

/// Sign-in, the second factor, password reset, invitations and the caller's own account.
extension WebPages {
    func registerAccountPages(in router: inout Router) {
        publicPage("/sign-in", in: &router) {
            Self.signPage(
                "Sign in",
                Self.form("/api/v1/auth/login", then: "signin", label: "Sign in") {
                    Self.field(
                        "E-mail", name: "email", type: "email", required: true,
                        extra: " autocomplete=\"username\" autofocus")
                    Self.field(
                        "Password", name: "password", type: "password", required: true,
                        extra: " autocomplete=\"current-password\"")
                    Self.button("Sign in")
                }, footer: "<a href=\"/password-reset\">Forgot your password?</a>")
        }
        publicPage("/sign-in/mfa", in: &router) {
            Self.signPage(
                "Two-step verification",
                Self.form("/api/v1/auth/mfa", then: "signedin", label: "Verification code") {
                    HTML("<p>Enter the six-digit code from your authenticator app, or one of your recovery codes.</p>")
                    HTML("<input type=\"hidden\" name=\"mfaToken\" data-from-session=\"mfaToken\">")
                    Self.field(
                        "Code", name: "code", required: true,
                        extra: " inputmode=\"numeric\" autocomplete=\"one-time-code\" autofocus")
                    Self.button("Verify")
                }, footer: "<a href=\"/sign-in\">Start again</a>")
        }
        publicPage("/password-reset", in: &router) {
            Self.signPage(
                "Reset your password",
                Self.form(
                    "/api/v1/auth/password-reset", then: "show", label: "Reset your password",
                    extra: " data-message=\"If the address has an account, a link is on its way.\""
                ) {
                    Self.field("E-mail", name: "email", type: "email", required: true, extra: " autofocus")
                    Self.button("Send the link")
                }, footer: "<a href=\"/sign-in\">Back to sign-in</a>")
        }
        publicPage("/reset-password", in: &router) {
            Self.signPage(
                "Choose a new password",
                Self.form("/api/v1/auth/password-reset/confirm", then: "go", go: "/sign-in", label: "New password") {
                    HTML("<input type=\"hidden\" name=\"token\" data-from-hash=\"token\">")
                    Self.field(
                        "New password (at least 12 characters)", name: "newPassword", type: "password",
                        required: true, extra: " autocomplete=\"new-password\" minlength=\"12\"")
                    Self.button("Save the password")
                }, footer: "<a href=\"/sign-in\">Back to sign-in</a>")
        }
        publicPage("/invitations/accept", in: &router) {
            Self.signPage(
                "Join your team on CallCoach",
                Self.form("/api/v1/invitations/accept", then: "go", go: "/", label: "Accept the invitation") {
                    HTML("<input type=\"hidden\" name=\"token\" data-from-hash=\"token\">")
                    Self.field("Your name", name: "displayName", extra: " data-optional autocomplete=\"name\"")
                    Self.field(
                        "Password (at least 12 characters; leave empty if you already have an account)",
                        name: "password", type: "password", extra: " data-optional autocomplete=\"new-password\"")
                    Self.button("Accept")
                }, footer: "<a href=\"/sign-in\">Already joined? Sign in</a>")
        }
        page("/account", in: &router) { context in
            try await accountPage(context)
        }
        page("/account/mfa", in: &router, enrollment: true) { context in
            Self.enrollmentPage(context)
        }
    }

    static func signPage(_ title: String, _ form: HTML, footer: HTML) -> Page {
        Page(
            title: title,
            body: """
                <div class="sign card"><h1>\(title)</h1>\(form)<p>\(footer)</p></div>
                """)
    }

    static func enrollmentPage(_ context: Context) -> Page {
        let held = context.principal.enrollmentOnly
        let intro: HTML =
            held
            ? "<p>Your company requires two-step verification. Set it up to continue.</p>"
            : "<p>Add a second step to your sign-in with an authenticator app.</p>"
        let start = form("/api/v1/me/mfa/totp", then: "enrollment", label: "Start") {
            button("Show the QR code")
        }
        let confirm = form("/api/v1/me/mfa/totp/confirm", then: "recovery", label: "Confirm the code") {
            field(
                "The six-digit code the app shows", name: "code", required: true,
                extra: " id=\"code\" inputmode=\"numeric\"")
            button("Turn on")
        }
        return Page(
            title: "Two-step verification",
            body: """
                <h1>Two-step verification</h1><section class="card">\(intro)\(start)
                <div id="confirm" hidden><div class="qr"><img id="qr" alt="QR code to scan with the authenticator app"></div>
                <p>Or type the key: <code id="secret"></code></p>\(confirm)</div>
                <div id="recovery" hidden><h2>Recovery codes</h2><p>Keep these somewhere safe; each signs you in once
                without the app.</p><ul id="recovery-codes" class="plain"></ul><p><a href="/">Continue</a></p></div>
                </section>
                """)
    }

    func accountPage(_ context: Context) async throws -> Page {
        let me = context.me
        let sessions = try await read("/api/v1/me/sessions", context)["sessions"].array
        let mfa: HTML =
            me["mfaEnabled"].bool == true
            ? """
            <p>Two-step verification is <strong>on</strong>.</p>\(Self.form("/api/v1/me/mfa", method: "DELETE", label: "Turn off two-step verification") {
                Self.field("Your password, to turn it off", name: "password", type: "password", required: true)
                Self.button("Turn off", kind: "danger")
            })
            """
            : "<p>Two-step verification is off. <a href=\"/account/mfa\">Set it up</a></p>"
        let rows = sessions.map { session -> HTML in
            let id = session["id"].text
            let action =
                session["current"].bool == true
                ? HTML("this session")
                : Self.form(
                    "/api/v1/me/sessions/" + PercentEncoding.encode(id), method: "DELETE", classes: "inline",
                    label: "End session", extra: " data-nobody"
                ) { Self.button("End", kind: "secondary") }
            return """
                <tr><td>\(Self.date(session["createdAt"].string))</td><td>\(Self.date(session["lastUsedAt"].string))</td>\
                <td>\(Self.date(session["expiresAt"].string))</td><td>\(action)</td></tr>
                """
        }
        return Page(
            title: "Your account",
            body: """
                <h1>Your account</h1><div class="grid">
                <section class="card"><h2>Profile</h2><p>\(me["displayName"].text)<br><span class="muted">\(me["email"].text)</span></p></section>
                <section class="card"><h2>Two-step verification</h2>\(mfa)</section>
                <section class="card"><h2>Password</h2>\(Self.form("/api/v1/me/password", label: "Change the password") {
                    Self.field("Current password", name: "currentPassword", type: "password", required: true)
                    Self.field("New password", name: "newPassword", type: "password", required: true, extra: " minlength=\"12\"")
                    Self.button("Change")
                })</section></div>
                <section class="card"><h2>Sessions</h2><table><thead><tr><th>Started</th><th>Last used</th><th>Ends</th>
                <th></th></tr></thead><tbody>\(rows)</tbody></table>
                \(Self.form("/api/v1/auth/logout-all", then: "go", go: "/sign-in", classes: "inline", label: "Sign out everywhere", extra: " data-nobody") {
                    Self.button("Sign out everywhere", kind: "danger")
                })</section>
                """)
    }
}
