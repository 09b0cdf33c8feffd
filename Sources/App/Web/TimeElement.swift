import Foundation
import Plot

/// A `<time>` element: machine-readable ISO 8601 with a short human date, the same on every page.
enum TimeElement {
    /// `date`, or `placeholder` as text when there is none.
    static func node(_ date: Date?, placeholder: String = "—") -> Node<HTML.BodyContext> {
        guard let date else { return .text(placeholder) }
        return .element(
            named: "time", nodes: [.attr("datetime", date.formatted(.iso8601)), .safeText(date.formatted(date: .abbreviated, time: .shortened))])
    }
}
