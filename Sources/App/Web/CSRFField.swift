import Plot

/// The hidden form field that carries the CSRF token.
enum CSRFField {
    static func node(_ token: String?) -> Node<HTML.FormContext> {
        .input(.type(.hidden), .name(AuthenticationMiddleware.csrfFormField), .attr("value", token ?? ""))
    }
}

/// Form controls Plot cannot express with escaped text.
enum FormFields {
    /// A group of fields under a legend; read-only (disabled) for people who may not change them.
    static func fieldset(_ legend: String, editable: Bool, _ fields: Node<HTML.FormContext>...) -> Node<HTML.FormContext> {
        .fieldset(.if(!editable, .attr("disabled", "disabled")), .element(named: "legend", text: legend), .group(fields))
    }

    /// `checked` on a box or radio that is on; nothing on one that is off.
    static func checked(_ on: Bool) -> Attribute<HTML.InputContext> {
        Attribute(name: "checked", value: on ? "checked" : "", ignoreIfValueIsEmpty: true)
    }

    /// A `<select>` with escaped values and labels (Plot's `<option>` takes no text).
    static func select(id: String, name: String, options: [(value: String, label: String)], selected: String?) -> Node<HTML.FormContext> {
        let items = options.map { option in
            "<option value=\"\(HTMLEscape.text(option.value))\"\(option.value == (selected ?? "") ? " selected" : "")>\(HTMLEscape.text(option.label))</option>"
        }.joined()
        return .raw("<select id=\"\(HTMLEscape.text(id))\" name=\"\(HTMLEscape.text(name))\">\(items)</select>")
    }
}
