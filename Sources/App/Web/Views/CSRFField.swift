import Plot

/// The hidden form field that carries the CSRF token.
enum CSRFField {
    static func node(_ token: String?) -> Node<HTML.FormContext> {
        .input(.type(.hidden), .name(AuthenticationMiddleware.csrfFormField), .attr("value", token ?? ""))
    }
}
