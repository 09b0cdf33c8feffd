import Foundation
import Plot

/// `/admin/insights`: what the chatbot was asked over the last 30 days and how it did.
enum InsightsPage {
    static func render(_ report: InsightsService.Report, chrome: PageChrome) -> String {
        let busiest = max(report.days.map(\.asked).max() ?? 0, 1)
        let share = report.asked == 0 ? 0 : Int((Double(report.declined) / Double(report.asked) * 100).rounded())
        return Layout.render(
            chrome,
            main: .group(
                .p(
                    .class("lead"),
                    .safeText(
                        "\(report.asked) question\(report.asked == 1 ? "" : "s") in the last \(InsightsService.window) days, \(report.declined) answered “I don't know” (\(share) %)."
                    )
                ),
                .p(
                    .a(.class("button subtle"), .href(SiteRoute.insightsQuestionsCSV.path), .text("Questions as CSV")), .text(" "),
                    .a(.class("button subtle"), .href(SiteRoute.insightsRatingsCSV.path), .text("Ratings as CSV"))),
                .section(
                    .class("panel"), .attr("aria-labelledby", "gaps-title"),
                    .h2(.id("gaps-title"), .text("Questions it could not answer")),
                    .p(.class("muted"), .text("Alike questions together, the most asked first: the documents to import next.")),
                    report.gaps.isEmpty
                        ? .p(.text("None: every question found its answer."))
                        : .ol(
                            .class("gaps"),
                            .forEach(report.gaps) { gap in
                                .li(
                                    .strong(.safeText(gap.question)), .span(.class("badge"), .safeText("× \(gap.count)")),
                                    .if(!gap.examples.isEmpty, .ul(.class("muted"), .forEach(gap.examples) { .li(.safeText($0)) })))
                            })
                ),
                .section(
                    .class("panel"), .attr("aria-labelledby", "rated-title"),
                    .h2(.id("rated-title"), .text("Answers rated down")),
                    report.lowestRated.isEmpty
                        ? .p(.text("No answer has been rated down."))
                        : .ul(
                            .class("rated"),
                            .forEach(report.lowestRated) { rated in
                                .li(
                                    .p(.strong(.safeText(rated.question))), .p(.class("muted"), .safeText(String(rated.answer.prefix(300)))),
                                    .unwrap(rated.comment) { .p(.safeText("“\($0)”")) })
                            })
                ),
                .section(
                    .class("panel"), .attr("aria-labelledby", "days-title"),
                    .h2(.id("days-title"), .text("Questions per day")),
                    .div(
                        .class("table-wrap"),
                        .table(
                            .thead(.tr(.th(.text("Day")), .th(.text("Asked")), .th(.text("Answered")), .th(.text("I don't know")), .th(.text("")))),
                            .tbody(
                                .forEach(report.days) { day in
                                    .tr(
                                        .td(.safeText(day.date)), .td(.text("\(day.asked)")), .td(.text("\(day.answered)")), .td(.text("\(day.declined)")),
                                        .td(
                                            .element(
                                                named: "meter",
                                                nodes: [
                                                    .attr("min", "0"), .attr("max", "\(busiest)"), .attr("value", "\(day.asked)"),
                                                    .attr("aria-label", "\(day.asked) of the busiest day's \(busiest)"),
                                                ])))
                                })
                        ))
                )
            ))
    }
}
