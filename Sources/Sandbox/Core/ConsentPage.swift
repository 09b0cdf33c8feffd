import Foundation

/// The provider-side sign-in and consent page every emulated authorization endpoint shows:
/// an account choice, the requested permissions, and Allow / Deny buttons named `decision`.
enum ConsentPage {
    struct Model {
        let providerName: String
        let appName: String
        let scopes: [String]
        let accounts: [SandboxAccount]
        /// Hidden fields that carry the original authorization request through the POST.
        let carry: [(String, String)]
        let action: String
        /// Extra choice, e.g. Atlassian's site picker: (field name, label, [(value, text)]).
        let extraChoice: (String, String, [(String, String)])?
    }

    static func render(_ model: Model) -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
                .replacingOccurrences(of: "'", with: "&#39;")
        }
        let accounts = model.accounts.enumerated().map { index, account in
            """
            <label class="account"><input type="radio" name="account" value="\(escape(account.id))"\(index == 0 ? " checked" : "")>
            <span><strong>\(escape(account.displayName))</strong><br><small>\(escape(account.email))</small></span></label>
            """
        }.joined(separator: "\n")
        let scopes = model.scopes.map { "<li>\(escape($0))</li>" }.joined()
        let hidden = model.carry.map { "<input type=\"hidden\" name=\"\(escape($0.0))\" value=\"\(escape($0.1))\">" }.joined(separator: "\n")
        var extra = ""
        if let (name, label, options) = model.extraChoice {
            extra =
                "<fieldset><legend>\(escape(label))</legend>"
                + options.enumerated().map { index, option in
                    "<label class=\"account\"><input type=\"radio\" name=\"\(escape(name))\" value=\"\(escape(option.0))\"\(index == 0 ? " checked" : "")> \(escape(option.1))</label>"
                }.joined() + "</fieldset>"
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Sign in · \(escape(model.providerName)) (sandbox)</title>
            <style>
            body{font-family:system-ui,sans-serif;background:#f3f4f6;margin:0;display:grid;place-items:center;min-height:100vh}
            main{background:#fff;border-radius:12px;padding:28px;width:min(440px,92vw);box-shadow:0 8px 24px rgba(0,0,0,.08)}
            h1{font-size:1.2rem;margin:0 0 4px}.note{color:#6b7280;font-size:.85rem}
            .account{display:flex;gap:10px;align-items:center;border:1px solid #e5e7eb;border-radius:8px;padding:10px;margin:8px 0}
            fieldset{border:0;padding:0;margin:12px 0}legend{font-weight:600}
            .buttons{display:flex;gap:10px;justify-content:flex-end;margin-top:16px}
            button{font:inherit;padding:8px 16px;border-radius:8px;border:1px solid #d1d5db;background:#fff;cursor:pointer}
            button[value=allow]{background:#2563eb;border-color:#2563eb;color:#fff}
            </style></head>
            <body><main>
            <p class="note">\(escape(model.providerName)) · Cirrus provider sandbox</p>
            <h1>\(escape(model.appName)) wants to access your account</h1>
            <form method="post" action="\(escape(model.action))">
            \(hidden)
            <fieldset><legend>Choose an account</legend>
            \(accounts)
            </fieldset>
            \(extra)
            <p>This will allow \(escape(model.appName)) to:</p>
            <ul>\(scopes)</ul>
            <div class="buttons">
            <button type="submit" name="decision" value="deny">Deny</button>
            <button type="submit" name="decision" value="allow">Allow</button>
            </div>
            </form>
            </main></body></html>
            """
    }

    /// A provider's own error page (shown instead of redirecting when the client or redirect URI is wrong).
    static func error(providerName: String, title: String, detail: String) -> String {
        let escapedTitle = title.replacingOccurrences(of: "<", with: "&lt;")
        let escapedDetail = detail.replacingOccurrences(of: "<", with: "&lt;")
        return """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>\(escapedTitle)</title></head>
            <body style="font-family:system-ui,sans-serif;padding:40px"><h1>\(escapedTitle)</h1><p>\(escapedDetail)</p>
            <p style="color:#6b7280">\(providerName) · Cirrus provider sandbox</p></body></html>
            """
    }
}

extension String {
    /// Appends query parameters to a URL that may already have some.
    func appendingQuery(_ items: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let query = items.map {
            "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)"
        }.joined(separator: "&")
        guard !query.isEmpty else { return self }
        return self + (contains("?") ? "&" : "?") + query
    }
}
